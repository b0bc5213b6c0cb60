// In-memory storage in etcd's image: one global, monotonic resourceVersion; objects kept per collection
// (`group/plural`, shared by every served version) under keys that sort like etcd's (`namespace/name`); and a
// bounded history of changes that serves watches from a resourceVersion and lists at an earlier one (paging),
// answering 410 Gone once that history has been compacted away.
//
// Stored objects are never modified in place: every write stores a new object, so readers may hand them out.
import type { KubernetesObject } from "../api/meta.ts";
import { expired } from "./errors.ts";

export type KubeObject = KubernetesObject & Record<string, unknown>;

export interface StoredEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  collection: string;
  key: string;
  resourceVersion: number;
  /** The object after the change; for DELETED its last state, carrying the deletion's resourceVersion. */
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  previous?: KubeObject;
}

export type EventListener = (event: StoredEvent) => void;

export interface StorageDump {
  resourceVersion: number;
  collections: Record<string, KubeObject[]>;
}

/** The key of an object in its collection: `namespace/name`, or `name` for cluster-scoped kinds. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

interface Collection {
  objects: Map<string, KubeObject>;
  /** Keys in etcd order, rebuilt lazily after creates and deletes. */
  sorted?: string[];
}

export class Storage {
  private revision: number;
  /** Every event with a resourceVersion at or below this has left the history. */
  private compacted: number;
  private readonly collections = new Map<string, Collection>();
  private readonly history: StoredEvent[] = [];
  private readonly historySize: number;
  private readonly watchers = new Map<string, Set<EventListener>>();
  private readonly listeners = new Set<EventListener>();
  private readonly pending: StoredEvent[] = [];
  private dispatching = false;

  constructor(options: { historySize?: number } = {}) {
    this.historySize = options.historySize ?? 10_000;
    this.revision = 1;
    this.compacted = 1;
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get(collection: string, key: string): KubeObject | undefined {
    return this.collections.get(collection)?.objects.get(key);
  }

  /** The current objects of a collection in key order, optionally of one namespace only. */
  list(collection: string, namespace?: string): KubeObject[] {
    const c = this.collections.get(collection);
    if (!c) return [];
    c.sorted ??= [...c.objects.keys()].sort(compareKeys);
    const keys = namespace ? c.sorted.filter((k) => k.startsWith(`${namespace}/`)) : c.sorted;
    return keys.map((k) => c.objects.get(k)!);
  }

  /** The objects of a collection as they were at `resourceVersion`, rebuilt from the history. */
  listAt(collection: string, resourceVersion: number, namespace?: string): KubeObject[] {
    if (resourceVersion >= this.revision) return this.list(collection, namespace);
    if (resourceVersion < this.compacted) throw this.tooOld(resourceVersion);
    const state = new Map(this.collections.get(collection)?.objects);
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.resourceVersion > resourceVersion; i--) {
      const event = this.history[i]!;
      if (event.collection !== collection) continue;
      if (event.previous) state.set(event.key, event.previous);
      else state.delete(event.key);
    }
    return [...state.keys()]
      .filter((k) => !namespace || k.startsWith(`${namespace}/`))
      .sort(compareKeys)
      .map((k) => state.get(k)!);
  }

  collectionNames(): string[] {
    return [...this.collections.keys()].filter((name) => this.collections.get(name)!.objects.size > 0);
  }

  create(collection: string, key: string, object: KubeObject): KubeObject {
    const stored = this.stamp(object);
    const c = this.collection(collection);
    c.objects.set(key, stored);
    c.sorted = undefined;
    this.record({ type: "ADDED", collection, key, resourceVersion: this.revision, object: stored });
    return stored;
  }

  update(collection: string, key: string, object: KubeObject): KubeObject {
    const c = this.collection(collection);
    const previous = c.objects.get(key);
    const stored = this.stamp(object);
    c.objects.set(key, stored);
    this.record({ type: "MODIFIED", collection, key, resourceVersion: this.revision, object: stored, previous });
    return stored;
  }

  /** Removes an object; `last` is its final state (e.g. with its last finalizer removed), else the stored one. */
  delete(collection: string, key: string, last?: KubeObject): KubeObject {
    const c = this.collection(collection);
    const previous = c.objects.get(key);
    if (!previous) throw new Error(`storage: no ${collection} ${key} to delete`);
    const stored = this.stamp(last ?? previous);
    c.objects.delete(key);
    c.sorted = undefined;
    this.record({ type: "DELETED", collection, key, resourceVersion: this.revision, object: stored, previous });
    return stored;
  }

  /**
   * Changes of a collection after `resourceVersion`, oldest first; 410 Gone if the history no longer reaches
   * back that far. A resourceVersion from the future yields nothing yet.
   */
  eventsSince(collection: string, resourceVersion: number): StoredEvent[] {
    if (resourceVersion < this.compacted) throw this.tooOld(resourceVersion);
    const events: StoredEvent[] = [];
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.resourceVersion > resourceVersion; i--) {
      if (this.history[i]!.collection === collection) events.push(this.history[i]!);
    }
    return events.reverse();
  }

  /** Calls `listener` with every later change of one collection; returns the function that stops it. */
  watch(collection: string, listener: EventListener): () => void {
    let set = this.watchers.get(collection);
    if (!set) this.watchers.set(collection, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * The controllers' feed, as an informer's list and watch: `listener` gets every stored object as ADDED, then
   * every later change of every collection. Returns the function that stops it.
   */
  subscribe(listener: EventListener): () => void {
    for (const [collection, { objects }] of this.collections) {
      for (const [key, object] of objects) listener({ type: "ADDED", collection, key, resourceVersion: Number(object.metadata.resourceVersion), object });
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dump(): StorageDump {
    const collections: Record<string, KubeObject[]> = {};
    for (const name of this.collectionNames()) collections[name] = this.list(name);
    return { resourceVersion: this.revision, collections };
  }

  /** Replaces everything with a dump; the history starts afresh, so older resourceVersions are Gone. */
  load(dump: StorageDump, keyOf: (collection: string, object: KubeObject) => string): void {
    this.collections.clear();
    this.history.length = 0;
    for (const [collection, objects] of Object.entries(dump.collections)) {
      const c = this.collection(collection);
      for (const object of objects) c.objects.set(keyOf(collection, object), object);
    }
    this.revision = Math.max(this.revision, dump.resourceVersion);
    this.compacted = this.revision;
  }

  private collection(name: string): Collection {
    let c = this.collections.get(name);
    if (!c) this.collections.set(name, (c = { objects: new Map() }));
    return c;
  }

  private stamp(object: KubeObject): KubeObject {
    this.revision++;
    return { ...object, metadata: { ...object.metadata, resourceVersion: String(this.revision) } };
  }

  private tooOld(resourceVersion: number) {
    return expired(`too old resource version: ${resourceVersion} (${this.compacted})`);
  }

  /**
   * Keeps the history bounded and tells watchers and listeners. A listener that writes while being told
   * queues its event behind the current one, so everyone sees changes in resourceVersion order.
   */
  private record(event: StoredEvent): void {
    this.history.push(event);
    // Compact in batches of a tenth of the history, not on every write.
    if (this.history.length > this.historySize + Math.ceil(this.historySize / 10)) {
      const dropped = this.history.splice(0, this.history.length - this.historySize);
      this.compacted = dropped[dropped.length - 1]!.resourceVersion;
    }
    this.pending.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        for (const watcher of this.watchers.get(next.collection) ?? []) watcher(next);
        for (const listener of this.listeners) listener(next);
      }
    } finally {
      this.dispatching = false;
    }
  }
}

/** etcd orders keys bytewise; JavaScript's `<` on strings of ASCII names does the same. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
