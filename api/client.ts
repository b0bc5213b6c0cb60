// The typed client base: CRUD, patch, watch and the status subresource of one custom resource kind over
// @kubernetes/client-node, with errors that keep kube-apiserver's Status.
import { ApiException, CustomObjectsApi, PatchStrategy, Watch, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import type { KubernetesList, KubernetesObject, Status, WatchEventType } from "./meta.ts";
import { resourcePath, type ResourceType } from "./resource.ts";

export type Scope = "Namespaced" | "Cluster";

/** How to name one object: namespace and name for namespaced kinds, name alone for cluster-scoped ones. */
export type ObjectKey<S extends Scope> = S extends "Namespaced" ? { namespace: string; name: string } : { name: string };

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  /** How `resourceVersion` applies: "NotOlderThan" or "Exact". */
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
}

/** Scope-dependent option: namespaced kinds list one namespace, or all namespaces when it is omitted. */
export type InNamespace<S extends Scope> = S extends "Namespaced" ? { namespace?: string } : unknown;

export interface WriteOptions {
  dryRun?: "All";
  fieldManager?: string;
}

export interface DeleteOptions {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  gracePeriodSeconds?: number;
}

/** One JSON Patch (RFC 6902) operation. */
export type JsonPatchOperation =
  | { op: "add" | "replace" | "test"; path: string; value: unknown }
  | { op: "remove"; path: string }
  | { op: "move" | "copy"; from: string; path: string };

/** A merge patch (RFC 7386): the fields to set, `null` to remove one; objects merge, optional ones too, lists are replaced whole. */
export type MergePatch<T> = { [K in keyof T]?: MergePatchValue<NonNullable<T[K]>> | null };
type MergePatchValue<V> = V extends readonly unknown[] ? V : V extends object ? MergePatch<V> : V;

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

/** An error answered by the API server, with its Status (reason, code, details) intact. */
export class KubernetesError extends Error {
  readonly status: Status;
  readonly code: number;
  readonly reason: string;

  constructor(status: Status, code: number) {
    super(status.message ?? `HTTP ${code}`);
    this.name = "KubernetesError";
    this.status = status;
    this.code = status.code ?? code;
    this.reason = status.reason ?? "Unknown";
  }
}

export class ResourceClient<T extends KubernetesObject, S extends Scope> {
  readonly resource: ResourceType & { scope: S };
  private readonly kubeConfig: KubeConfig;
  private readonly api: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig, resource: ResourceType & { scope: S }) {
    this.kubeConfig = kubeConfig;
    this.resource = resource;
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async get(key: ObjectKey<S>): Promise<T> {
    return this.request(this.ref(key), (p) => p.namespace ? this.api.getNamespacedCustomObject(p) : this.api.getClusterCustomObject(p));
  }

  async list(options: ListOptions & InNamespace<S> = {} as ListOptions & InNamespace<S>): Promise<KubernetesList<T>> {
    const { namespace, ...query } = options as ListOptions & { namespace?: string };
    const params = { ...this.ref({ namespace, name: "" }), ...query, _continue: query.continue };
    return this.request(params, (p) => p.namespace ? this.api.listNamespacedCustomObject(p) : this.api.listClusterCustomObject(p));
  }

  /** Creates the object; without metadata.name, the server names it from metadata.generateName. */
  async create(object: T, options: WriteOptions = {}): Promise<T> {
    const params = { ...this.ref(this.keyOf(object, true)), body: object, ...options };
    return this.request(params, (p) => p.namespace ? this.api.createNamespacedCustomObject(p) : this.api.createClusterCustomObject(p));
  }

  /** Replaces the whole object; metadata.resourceVersion makes it fail with 409 Conflict if it changed meanwhile. */
  async replace(object: T, options: WriteOptions = {}): Promise<T> {
    const params = { ...this.ref(this.keyOf(object)), body: object, ...options };
    return this.request(params, (p) => p.namespace ? this.api.replaceNamespacedCustomObject(p) : this.api.replaceClusterCustomObject(p));
  }

  /** Merge patch (an object) or JSON patch (a list of operations). */
  async patch(key: ObjectKey<S>, patch: MergePatch<T> | JsonPatchOperation[], options: WriteOptions = {}): Promise<T> {
    const params = { ...this.ref(key), body: patch, ...options };
    return this.request(params, (p) => p.namespace ? this.api.patchNamespacedCustomObject(p, patchHeader(patch)) : this.api.patchClusterCustomObject(p, patchHeader(patch)));
  }

  async delete(key: ObjectKey<S>, options: DeleteOptions = {}): Promise<T | Status> {
    const params = { ...this.ref(key), ...options };
    return this.request(params, (p) => p.namespace ? this.api.deleteNamespacedCustomObject(p) : this.api.deleteClusterCustomObject(p));
  }

  async getStatus(key: ObjectKey<S>): Promise<T> {
    return this.request(this.ref(key), (p) => p.namespace ? this.api.getNamespacedCustomObjectStatus(p) : this.api.getClusterCustomObjectStatus(p));
  }

  /** Writes only the status; the API server ignores every other change. */
  async replaceStatus(object: T, options: WriteOptions = {}): Promise<T> {
    const params = { ...this.ref(this.keyOf(object)), body: object, ...options };
    return this.request(params, (p) => p.namespace ? this.api.replaceNamespacedCustomObjectStatus(p) : this.api.replaceClusterCustomObjectStatus(p));
  }

  async patchStatus(key: ObjectKey<S>, patch: MergePatch<T> | JsonPatchOperation[], options: WriteOptions = {}): Promise<T> {
    const params = { ...this.ref(key), body: patch, ...options };
    return this.request(params, (p) => p.namespace ? this.api.patchNamespacedCustomObjectStatus(p, patchHeader(patch)) : this.api.patchClusterCustomObjectStatus(p, patchHeader(patch)));
  }

  /**
   * Streams changes until aborted (call `abort()` on the returned controller) or the server ends the watch;
   * `onDone` then receives the error, if any. ERROR events carry the server's Status as object.
   */
  watch(
    options: WatchOptions & InNamespace<S>,
    onEvent: (event: WatchEvent<T>) => void,
    onDone: (error?: unknown) => void,
  ): Promise<AbortController> {
    const { namespace, ...query } = options as WatchOptions & { namespace?: string };
    return new Watch(this.kubeConfig).watch(
      resourcePath(this.resource, namespace),
      query,
      (type, object) => onEvent({ type: type as WatchEventType, object: object as T }),
      // client-node reports the caller's own abort as an AbortError; that is how a watch is meant to end.
      (error) => onDone(isAbortError(error) ? undefined : (error ?? undefined)),
    );
  }

  /** Where an object being written goes; a create may leave the name to the server (generateName). */
  private keyOf(object: T, nameMayBeGenerated = false): { namespace?: string; name: string } {
    const { name, generateName, namespace } = object.metadata;
    if (!name && !(nameMayBeGenerated && generateName)) {
      throw new TypeError(`${this.resource.kind}: metadata.name is required${nameMayBeGenerated ? " (or metadata.generateName)" : ""}`);
    }
    if (this.resource.scope === "Namespaced" && !namespace) {
      throw new TypeError(`${this.resource.kind} ${name ?? generateName}: metadata.namespace is required`);
    }
    return { namespace, name: name ?? "" };
  }

  /** Request parameters naming one object, or (with an empty name) a collection. */
  private ref(key: { namespace?: string | undefined; name: string }) {
    const { group, version, plural } = this.resource;
    const namespace = this.resource.scope === "Namespaced" ? key.namespace : undefined;
    if (this.resource.scope === "Namespaced" && key.name !== "" && !namespace) {
      throw new TypeError(`${this.resource.kind} ${key.name}: a namespace is required`);
    }
    return { group, version, plural, name: key.name, namespace: namespace as string };
  }

  private async request<P, R>(params: P, call: (params: P) => Promise<R>): Promise<R> {
    try {
      return await call(params);
    } catch (error) {
      throw toKubernetesError(error);
    }
  }
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

function patchHeader(patch: unknown) {
  return setHeaderOptions("Content-Type", Array.isArray(patch) ? PatchStrategy.JsonPatch : PatchStrategy.MergePatch);
}

/** Turns client-node's ApiException into a KubernetesError carrying the server's Status. */
export function toKubernetesError(error: unknown): unknown {
  if (!(error instanceof ApiException)) return error;
  let body: unknown = error.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      body = { message: body };
    }
  }
  const status = body && typeof body === "object" && (body as Status).kind === "Status"
    ? (body as Status)
    : { kind: "Status" as const, status: "Failure" as const, code: error.code, message: `HTTP ${error.code}: ${JSON.stringify(body)}` };
  return new KubernetesError(status, error.code);
}
