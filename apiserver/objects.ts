// The semantics of kube-apiserver's generic registry store, shared by the REST handlers and the server's own
// controllers: create, get, list (selectors, paging, resourceVersion), update and patch with optimistic
// concurrency, the status subresource, generation, admission, finalizers and deletionTimestamp.
import { randomUUID } from "node:crypto";
import type { ListOptions } from "../api/client.ts";
import type { KubernetesList, ObjectMeta } from "../api/meta.ts";
import { fieldError } from "../api/validation/errors.ts";
import { coerceMetadata } from "../api/validation/metadata.ts";
import { formatFieldPath } from "../api/validation/prune.ts";
import {
  alreadyExists, ApiError, badRequest, conflict, expired, forbidden, internalError, invalid, notFound,
  patchRejected, unsupportedMediaType,
} from "./errors.ts";
import { clientMeta, generateName, validateMetadata } from "./objectmeta.ts";
import { deepEqual, jsonPatch, mergePatch, parseJsonPatch, PatchError, strategicMergePatch } from "./patch.ts";
import { apiVersionOf, groupResource, type ResourceDef } from "./resources.ts";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "./selectors.ts";
import { objectKey, type KubeObject, type Storage } from "./storage.ts";

export type FieldValidation = "Strict" | "Warn" | "Ignore";
export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

export interface WriteOptions {
  dryRun?: boolean;
  /** Unknown fields: rejected (Strict), reported as warnings (Warn, the default) or dropped silently (Ignore). */
  fieldValidation?: FieldValidation;
  /** Write a subresource (`status`, or a namespace's `finalize`) rather than the main resource. */
  subresource?: string;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
}

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}


/** Finalizers through which the garbage collector carries out foreground and orphan deletion. */
export const FOREGROUND_FINALIZER = "foregroundDeletion";
export const ORPHAN_FINALIZER = "orphan";

export const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

const NAMESPACES = { group: "", resource: "namespaces" };

export class ObjectService {
  private readonly storage: Storage;

  constructor(storage: Storage) {
    this.storage = storage;
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    return this.asVersion(def, this.stored(def, namespace, name));
  }

  /** The stored object, in the storage version; 404 if there is none. */
  stored(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const object = this.storage.get(def.collection, this.key(def, namespace, name));
    if (!object) throw notFound(groupResource(def), name);
    return object;
  }

  /** The predicate of a list's or watch's label and field selectors; 400 for a malformed or unsupported one. */
  selector(def: ResourceDef, options: Pick<ListOptions, "labelSelector" | "fieldSelector">): (object: KubeObject) => boolean {
    const labels = parseLabelSelector(options.labelSelector ?? "");
    const fields = parseFieldSelector(options.fieldSelector ?? "");
    const readers: Record<string, (o: KubeObject) => string | undefined> = {
      "metadata.name": (o) => o.metadata.name,
      "metadata.namespace": (o) => o.metadata.namespace,
      ...def.fields,
    };
    for (const { field } of fields) if (!readers[field]) throw badRequest(`field label not supported: ${field}`);
    if (labels.length === 0 && fields.length === 0) return () => true;
    return (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, (f) => readers[f]!(o));
  }

  list(def: ResourceDef, namespace: string | undefined, options: ListOptions = {}): KubernetesList<KubeObject> {
    const matches = this.selector(def, options);
    let revision = this.storage.resourceVersion;
    let start = "";
    let objects: KubeObject[];
    if (options.continue) {
      const token = decodeContinue(options.continue);
      revision = token.rv;
      start = token.start;
      try {
        objects = this.storage.listAt(def.collection, revision, namespace);
      } catch (error) {
        throw continueExpired(error, this.storage.resourceVersion, start);
      }
    } else if (options.resourceVersion && options.resourceVersionMatch === "Exact") {
      revision = parseResourceVersion(options.resourceVersion);
      objects = this.storage.listAt(def.collection, revision, namespace);
    } else {
      objects = this.storage.list(def.collection, namespace);
    }
    const selected = objects.filter((o) => this.keyOf(def, o) >= start && matches(o));
    const limit = options.limit ?? 0;
    const page = limit > 0 ? selected.slice(0, limit) : selected;
    const metadata: KubernetesList<KubeObject>["metadata"] = { resourceVersion: String(revision) };
    if (page.length < selected.length) {
      metadata.continue = encodeContinue(revision, `${this.keyOf(def, page[page.length - 1]!)}\u0000`);
      // kube counts the rest only when it is cheap to know: without selectors.
      if (!options.labelSelector && !options.fieldSelector) metadata.remainingItemCount = selected.length - page.length;
    }
    return { kind: def.listKind, apiVersion: apiVersionOf(def), metadata, items: page.map((o) => this.asVersion(def, o)) };
  }

  create(def: ResourceDef, namespace: string | undefined, body: unknown, options: WriteOptions = {}): WriteResult {
    const { object, unknownFields } = this.decode(def, body, namespace);
    const meta = object.metadata;
    if (meta.resourceVersion) throw internalError("resourceVersion should not be set on objects to be created");
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    this.requireActiveNamespace(def, namespace, meta.name ?? "");
    object.metadata = {
      ...clientMeta(meta),
      uid: randomUUID(),
      creationTimestamp: now(),
      ...(def.tracksGeneration && { generation: 1 }),
    };
    if (def.subresources.status) delete object.status;
    def.strategy.prepareForCreate?.(object);
    const admitted = this.admit(def, object, undefined, unknownFields, options.fieldValidation);
    const key = this.key(def, namespace, object.metadata.name!);
    if (this.storage.get(def.collection, key)) throw alreadyExists(groupResource(def), object.metadata.name!);
    if (options.dryRun) return { object: this.asVersion(def, admitted.object), warnings: admitted.warnings };
    const stored = this.storage.create(def.collection, key, this.toStorage(def, admitted.object));
    return { object: this.asVersion(def, stored), warnings: admitted.warnings };
  }

  update(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}): WriteResult {
    const { object: input, unknownFields } = this.decode(def, body, namespace);
    if (input.metadata.name && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    const current = this.stored(def, namespace, name);
    return this.applyUpdate(def, current, input, unknownFields, options, !def.unconditionalUpdate);
  }

  patch(def: ResourceDef, namespace: string | undefined, name: string, contentType: string, patch: unknown, options: WriteOptions = {}): WriteResult {
    const current = this.asVersion(def, this.stored(def, namespace, name));
    let patched: unknown;
    try {
      if (contentType === "application/merge-patch+json") patched = mergePatch(current, patch);
      else if (contentType === "application/strategic-merge-patch+json" && def.mergeKeys) patched = strategicMergePatch(current, patch, def.mergeKeys);
      else if (contentType === "application/json-patch+json") {
        const operations = parseJsonPatch(patch);
        try {
          patched = jsonPatch(current, operations);
        } catch (error) {
          if (error instanceof PatchError) throw patchRejected();
          throw error;
        }
      } else throw unsupportedMediaType(contentType, PATCH_TYPES.filter((t) => def.mergeKeys || !t.includes("strategic")));
    } catch (error) {
      if (error instanceof PatchError) throw badRequest(error.message);
      throw error;
    }
    if (typeof patched !== "object" || patched === null || Array.isArray(patched)) throw patchRejected();
    const { object: input, unknownFields } = this.decode(def, patched, namespace);
    if (input.metadata.name !== name) {
      throw invalid(def.group, def.kind, name, [fieldError.invalid("metadata.name", input.metadata.name ?? "", "field is immutable")]);
    }
    return this.applyUpdate(def, this.stored(def, namespace, name), input, unknownFields, options, false);
  }

  /**
   * Deletes at once, or — when finalizers (or the propagation policy's finalizer) hold the object — sets its
   * deletionTimestamp and leaves it to whoever removes the last finalizer. `deleted` tells which happened.
   */
  delete(def: ResourceDef, namespace: string | undefined, name: string, options: DeleteOptions = {}): { object: KubeObject; deleted: boolean } {
    const current = this.stored(def, namespace, name);
    const { uid, resourceVersion } = options.preconditions ?? {};
    if (uid && uid !== current.metadata.uid) {
      throw conflict(groupResource(def), name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (resourceVersion && resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(groupResource(def), name, `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    const candidate = structuredClone(current);
    def.strategy.prepareForDelete?.(candidate);
    const finalizers = withPropagationFinalizer(candidate.metadata.finalizers ?? [], options.propagationPolicy);
    if (finalizers.length > 0 || (def.strategy.extraFinalizers?.(candidate).length ?? 0) > 0) {
      candidate.metadata.finalizers = finalizers;
      if (!candidate.metadata.deletionTimestamp) {
        candidate.metadata.deletionTimestamp = now();
        candidate.metadata.deletionGracePeriodSeconds = 0;
        if (def.tracksGeneration) candidate.metadata.generation = (candidate.metadata.generation ?? 0) + 1;
      }
      if (options.dryRun || deepEqual(candidate, current)) return { object: this.asVersion(def, options.dryRun ? candidate : current), deleted: false };
      return { object: this.asVersion(def, this.storage.update(def.collection, this.keyOf(def, current), candidate)), deleted: false };
    }
    if (options.dryRun) return { object: this.asVersion(def, current), deleted: true };
    return { object: this.asVersion(def, this.storage.delete(def.collection, this.keyOf(def, current), candidate)), deleted: true };
  }

  deleteCollection(def: ResourceDef, namespace: string | undefined, listOptions: ListOptions, options: DeleteOptions = {}): KubeObject[] {
    const deleted: KubeObject[] = [];
    for (const object of this.list(def, namespace, { labelSelector: listOptions.labelSelector, fieldSelector: listOptions.fieldSelector }).items) {
      try {
        deleted.push(this.delete(def, object.metadata.namespace, object.metadata.name!, { ...options, preconditions: undefined }).object);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    }
    return deleted;
  }

  /** Reads the stored object, lets `change` edit a copy, and writes it back as an update (for controllers). */
  mutate(def: ResourceDef, namespace: string | undefined, name: string, change: (object: KubeObject) => void, subresource?: string): WriteResult {
    const copy = structuredClone(this.get(def, namespace, name));
    change(copy);
    return this.update(def, namespace, name, copy, { subresource });
  }

  private applyUpdate(
    def: ResourceDef, current: KubeObject, input: KubeObject, unknownFields: string[], options: WriteOptions, requireResourceVersion: boolean,
  ): WriteResult {
    const name = current.metadata.name!;
    const { resourceVersion, uid } = input.metadata;
    if (resourceVersion && resourceVersion !== current.metadata.resourceVersion) throw conflict(groupResource(def), name);
    if (!resourceVersion && requireResourceVersion) {
      throw invalid(def.group, def.kind, name, [fieldError.invalid("metadata.resourceVersion", "", "must be specified for an update")]);
    }
    if (uid && uid !== current.metadata.uid) {
      throw conflict(groupResource(def), name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
    }
    let next: KubeObject;
    if (options.subresource) {
      const update = def.subresources[options.subresource];
      if (!update) throw notFound(groupResource(def), name);
      next = structuredClone(update(current, input));
      unknownFields = [];
    } else {
      next = { ...input, metadata: { ...clientMeta(input.metadata), ...serverMeta(current.metadata) } };
      if (def.subresources.status) {
        if ("status" in current) next.status = structuredClone(current.status);
        else delete next.status;
      }
      def.strategy.prepareForUpdate?.(next, current);
    }
    const admitted = this.admit(def, this.asVersion(def, next), current, unknownFields, options.fieldValidation);
    const object = this.toStorage(def, admitted.object);
    if (def.tracksGeneration && !deepEqual(specOf(def, object), specOf(def, current))) {
      object.metadata.generation = (current.metadata.generation ?? 0) + 1;
    }
    const key = this.keyOf(def, current);
    if (deepEqual({ ...object, metadata: { ...object.metadata, resourceVersion: undefined } }, { ...current, metadata: { ...current.metadata, resourceVersion: undefined } })) {
      return { object: this.asVersion(def, current), warnings: admitted.warnings }; // nothing changed: no write, no event
    }
    if (options.dryRun) return { object: this.asVersion(def, object), warnings: admitted.warnings };
    const finalizersLeft = (object.metadata.finalizers?.length ?? 0) + (def.strategy.extraFinalizers?.(object).length ?? 0);
    const stored = object.metadata.deletionTimestamp && finalizersLeft === 0
      ? this.storage.delete(def.collection, key, object)
      : this.storage.update(def.collection, key, object);
    return { object: this.asVersion(def, stored), warnings: admitted.warnings };
  }

  /**
   * Admission: the kind's own (pruning, defaulting, validation with ObjectMeta), or for kinds without one the
   * ObjectMeta checks; then field validation of unknown fields: rejected (Strict) or warned about (Warn).
   */
  private admit(def: ResourceDef, object: KubeObject, old: KubeObject | undefined, unknownFields: string[], fieldValidation: FieldValidation = "Warn"): WriteResult {
    const result = def.strategy.admit?.(object, old)
      ?? { object, errors: validateMetadata(object.metadata, def.namespaced, def.nameRule, old?.metadata), warnings: [], prunedFields: [] };
    const unknown = [...unknownFields, ...result.prunedFields].map((f) => `unknown field "${f}"`);
    if (unknown.length > 0 && fieldValidation === "Strict") {
      throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${unknown.join(", ")}`);
    }
    if (result.errors.length > 0) throw invalid(def.group, def.kind, object.metadata.name ?? "", result.errors);
    return { object: result.object, warnings: [...(fieldValidation === "Warn" ? unknown : []), ...result.warnings] };
  }

  /** A private copy of a request body as an object of the kind, with ObjectMeta as decoding leaves it. */
  private decode(def: ResourceDef, body: unknown, namespace: string | undefined): { object: KubeObject; unknownFields: string[] } {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the body must be a JSON object`);
    }
    const raw = body as Record<string, unknown>;
    const apiVersion = raw.apiVersion ?? apiVersionOf(def);
    if (apiVersion !== apiVersionOf(def)) throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`);
    if ((raw.kind ?? def.kind) !== def.kind) throw badRequest(`the kind in the data (${String(raw.kind)}) does not match the expected kind (${def.kind})`);
    const object = structuredClone({ ...raw, apiVersion, kind: def.kind }) as KubeObject;
    const unknownFields = coerceMetadata(object).map(formatFieldPath); // unknown or undecodable ObjectMeta fields
    const meta = (object.metadata ??= {});
    if (def.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      meta.namespace = namespace;
    } else delete meta.namespace;
    return { object, unknownFields };
  }

  private requireActiveNamespace(def: ResourceDef, namespace: string | undefined, name: string): void {
    if (!def.namespaced || !namespace) return;
    const ns = this.storage.get("/namespaces", namespace);
    if (!ns) throw notFound(NAMESPACES, namespace);
    if (ns.metadata.deletionTimestamp) {
      const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
      throw forbidden(groupResource(def), name, why, [{ reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" }]);
    }
  }

  private key(def: ResourceDef, namespace: string | undefined, name: string): string {
    return objectKey(def.namespaced ? namespace : undefined, name);
  }

  private keyOf(def: ResourceDef, object: KubeObject): string {
    return this.key(def, object.metadata.namespace, object.metadata.name!);
  }

  /** Objects are served in the version asked for; versions of one resource differ only in apiVersion. */
  private asVersion(def: ResourceDef, object: KubeObject): KubeObject {
    const apiVersion = apiVersionOf(def);
    return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
  }

  private toStorage(def: ResourceDef, object: KubeObject): KubeObject {
    const apiVersion = apiVersionOf({ group: def.group, version: def.storageVersion });
    return object.apiVersion === apiVersion ? object : { ...object, apiVersion };
  }
}

/** Metadata the server owns and an update cannot change: kept from the stored object. */
function serverMeta(current: ObjectMeta): ObjectMeta {
  const keep: ObjectMeta = { name: current.name, uid: current.uid, creationTimestamp: current.creationTimestamp };
  for (const key of ["namespace", "generation", "deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
    if (current[key] !== undefined) (keep as Record<string, unknown>)[key] = current[key];
  }
  return keep;
}

/** What a generation bump watches: everything but metadata, and but status when status is a subresource. */
function specOf(def: ResourceDef, object: KubeObject): Record<string, unknown> {
  const { metadata: _, apiVersion: __, ...rest } = object;
  if (def.subresources.status) delete rest.status;
  return rest;
}

function withPropagationFinalizer(finalizers: readonly string[], policy: PropagationPolicy | undefined): string[] {
  const others = finalizers.filter((f) => f !== FOREGROUND_FINALIZER && f !== ORPHAN_FINALIZER);
  if (policy === "Foreground") return [...others, FOREGROUND_FINALIZER];
  if (policy === "Orphan") return [...others, ORPHAN_FINALIZER];
  return policy === "Background" ? others : [...finalizers];
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function parseResourceVersion(value: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`invalid resource version: ${JSON.stringify(value)}`);
  return Number(value);
}

interface ContinueToken {
  rv: number;
  start: string;
}

/** kube's continue token: base64 JSON naming the list's resourceVersion and the key to go on from. */
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv, start })).toString("base64url");
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { v?: string; rv?: number; start?: string };
    if (parsed.v !== "meta.k8s.io/v1" || typeof parsed.rv !== "number" || typeof parsed.start !== "string") throw new Error("unknown format");
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest(`continue key is not valid: ${token}`);
  }
}

/** The 410 for a continue token whose list can no longer be rebuilt, with a token to carry on inconsistently. */
function continueExpired(error: unknown, currentRevision: number, start: string): unknown {
  if (!(error instanceof ApiError && error.code === 410)) return error;
  const gone = expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
  gone.status.metadata = { continue: encodeContinue(currentRevision, start) };
  return gone;
}
