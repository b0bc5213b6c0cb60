// The namespace controller: once a namespace is being deleted, delete every object in it; when the last one
// is gone (objects with finalizers keep it waiting), finalize the namespace so that its deletion completes.
import { namespaces, NAMESPACE_FINALIZER } from "./builtin.ts";
import type { ObjectService } from "./objects.ts";
import { StorageController } from "./controller.ts";
import type { Registry } from "./registry.ts";
import type { Storage, StoredEvent } from "./storage.ts";

export class NamespaceController extends StorageController {
  private readonly storage: Storage;
  private readonly registry: Registry;
  private readonly objects: ObjectService;

  constructor(storage: Storage, registry: Registry, objects: ObjectService) {
    super("namespace controller");
    this.storage = storage;
    this.registry = registry;
    this.objects = objects;
    this.watch(storage);
  }

  protected observe(event: StoredEvent): void {
    const namespace = event.collection === namespaces.collection ? event.object.metadata.name : event.object.metadata.namespace;
    if (!namespace || (event.collection !== namespaces.collection && event.type !== "DELETED")) return;
    if (this.storage.get(namespaces.collection, namespace)?.metadata.deletionTimestamp) this.queue.add(namespace);
  }

  /** Deletes what is left in a namespace being deleted, then finalizes it. */
  protected process(name: string): void {
    const ns = this.storage.get(namespaces.collection, name);
    if (!ns?.metadata.deletionTimestamp) return;
    for (const def of this.namespacedResources()) {
      for (const object of this.storage.list(def.collection, name)) {
        if (!object.metadata.deletionTimestamp) this.objects.delete(def, name, object.metadata.name!, { propagationPolicy: "Background" });
      }
    }
    // Objects held by finalizers keep the namespace waiting; their deletion queues it again.
    if (this.namespacedResources().some((def) => this.storage.list(def.collection, name).length > 0)) return;
    this.objects.mutate(namespaces, undefined, name, (o) => {
      const spec = o.spec as { finalizers?: string[] };
      spec.finalizers = (spec.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
    }, "finalize");
  }

  /** One resource per storage collection of the namespaced kinds served now. */
  private namespacedResources() {
    const seen = new Set<string>();
    return this.registry.all().filter((def) => def.namespaced && !seen.has(def.collection) && seen.add(def.collection));
  }
}
