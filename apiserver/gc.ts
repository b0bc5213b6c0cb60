// The garbage collector (kube-controller-manager's, in miniature): objects whose owners (metadata.ownerReferences)
// are all gone are deleted in the background; owners deleted with propagationPolicy Foreground wait, holding the
// foregroundDeletion finalizer, until dependents that block owner deletion are gone; with Orphan, dependents
// lose their reference to the owner and stay.
import type { OwnerReference } from "../api/meta.ts";
import { ApiError } from "./errors.ts";
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type ObjectService, type PropagationPolicy } from "./objects.ts";
import { StorageController } from "./controller.ts";
import type { Registry } from "./registry.ts";
import type { ResourceDef } from "./resources.ts";
import { objectKey, type KubeObject, type Storage, type StoredEvent } from "./storage.ts";

/** Where an object is stored: `collection` and `key`, joined by a tab. */
type Location = string;

export class GarbageCollector extends StorageController {
  private readonly storage: Storage;
  private readonly registry: Registry;
  private readonly objects: ObjectService;
  /** Owner uid → the objects that name it as an owner. */
  private readonly dependents = new Map<string, Set<Location>>();

  constructor(storage: Storage, registry: Registry, objects: ObjectService) {
    super("garbage collector");
    this.storage = storage;
    this.registry = registry;
    this.objects = objects;
    this.watch(storage);
  }

  protected observe({ type, collection, key, object, previous }: StoredEvent): void {
    const location = `${collection}\t${key}`;
    for (const ref of previous?.metadata.ownerReferences ?? []) this.dependents.get(ref.uid)?.delete(location);
    if (type === "DELETED") {
      for (const dependent of this.dependents.get(object.metadata.uid!) ?? []) this.queue.add(`dependent\t${dependent}`);
      this.dependents.delete(object.metadata.uid!);
      // A foreground owner may have been waiting for this one.
      for (const ref of object.metadata.ownerReferences ?? []) {
        const owner = this.locateOwner(ref, object.metadata.namespace);
        if (owner) this.queue.add(`owner\t${owner}`);
      }
      return;
    }
    const refs = object.metadata.ownerReferences ?? [];
    for (const ref of refs) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(location);
    }
    if (refs.length > 0) this.queue.add(`dependent\t${location}`);
    const finalizers = object.metadata.finalizers ?? [];
    if (object.metadata.deletionTimestamp && (finalizers.includes(FOREGROUND_FINALIZER) || finalizers.includes(ORPHAN_FINALIZER))) {
      this.queue.add(`owner\t${location}`);
    }
  }

  protected process(item: string): void {
    const [role, collection, key] = item.split("\t") as [string, string, string];
    const object = this.storage.get(collection, key);
    const def = this.registry.forCollection(collection)[0];
    if (!object || !def) return;
    if (role === "dependent") this.collectDependent(def, object);
    else this.finishOwner(def, object);
  }

  /** Deletes an object whose owners are all gone (or being deleted in the foreground); drops dangling references. */
  private collectDependent(def: ResourceDef, object: KubeObject): void {
    const refs = object.metadata.ownerReferences ?? [];
    const owners = refs.map((ref) => ({ ref, state: this.ownerState(ref, object.metadata.namespace) }));
    const absent = owners.filter((o) => o.state === "absent");
    if (absent.length === 0 && !owners.some((o) => o.state === "foreground")) return;
    if (owners.every((o) => o.state === "absent" || o.state === "foreground")) {
      if (object.metadata.deletionTimestamp) return;
      const foreground = owners.some((o) => o.state === "foreground" && o.ref.blockOwnerDeletion);
      this.deleteQuietly(def, object, foreground ? "Foreground" : "Background");
    } else if (absent.length > 0) {
      const gone = new Set(absent.map((o) => o.ref.uid));
      this.objects.mutate(def, object.metadata.namespace, object.metadata.name!, (o) => {
        o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => !gone.has(r.uid));
      });
    }
  }

  /** Completes a foreground or orphan deletion once the dependents allow it, by removing its finalizer. */
  private finishOwner(def: ResourceDef, owner: KubeObject): void {
    if (!owner.metadata.deletionTimestamp) return;
    const uid = owner.metadata.uid!;
    const finalizers = owner.metadata.finalizers ?? [];
    const dependents = [...(this.dependents.get(uid) ?? [])]
      .map((location) => {
        const [collection, key] = location.split("\t") as [string, string];
        return { collection, key, def: this.registry.forCollection(collection)[0], object: this.storage.get(collection, key) };
      })
      .filter((d): d is typeof d & { def: ResourceDef; object: KubeObject } => d.def !== undefined && d.object !== undefined);
    let done: string;
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const { def: dependentDef, object } of dependents) {
        this.objects.mutate(dependentDef, object.metadata.namespace, object.metadata.name!, (o) => {
          o.metadata.ownerReferences = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        });
      }
      done = ORPHAN_FINALIZER;
    } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
      for (const { def: dependentDef, object } of dependents) {
        const ref = object.metadata.ownerReferences?.find((r) => r.uid === uid);
        if (!object.metadata.deletionTimestamp) this.deleteQuietly(dependentDef, object, ref?.blockOwnerDeletion ? "Foreground" : "Background");
      }
      const blocking = dependents.filter(({ collection, key, object }) =>
        object.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion) && this.storage.get(collection, key));
      if (blocking.length > 0) return; // their deletion queues this owner again
      done = FOREGROUND_FINALIZER;
    } else return;
    this.objects.mutate(def, owner.metadata.namespace, owner.metadata.name!, (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== done);
    });
  }

  private ownerState(ref: OwnerReference, namespace: string | undefined): "present" | "absent" | "foreground" | "unknown" {
    const location = this.locateOwner(ref, namespace);
    if (location === undefined) return "unknown"; // a kind not served: nothing can be said about its objects
    const [collection, key] = location.split("\t") as [string, string];
    const owner = this.storage.get(collection, key);
    if (!owner || owner.metadata.uid !== ref.uid) return "absent";
    return owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER) ? "foreground" : "present";
  }

  private locateOwner(ref: OwnerReference, namespace: string | undefined): Location | undefined {
    const def = this.registry.byKind(ref.apiVersion, ref.kind);
    return def && `${def.collection}\t${objectKey(def.namespaced ? namespace : undefined, ref.name)}`;
  }

  private deleteQuietly(def: ResourceDef, object: KubeObject, propagationPolicy: PropagationPolicy): void {
    try {
      this.objects.delete(def, object.metadata.namespace, object.metadata.name!, { propagationPolicy, preconditions: { uid: object.metadata.uid } });
    } catch (error) {
      // Gone already, or replaced by a new object of the same name: nothing to collect.
      if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error;
    }
  }
}

