// What the server's own controllers (garbage collector, namespace controller, CRD controller) share, as
// kube-controller-manager's do with their informers: storage's list and watch feeds `observe`, which queues keys
// that `process` handles outside the storage event, with retries (queue.ts).
import { WorkQueue } from "./queue.ts";
import type { Storage, StoredEvent } from "./storage.ts";

export abstract class StorageController {
  protected readonly queue: WorkQueue;
  private unsubscribe: (() => void) | undefined;

  constructor(name: string) {
    this.queue = new WorkQueue(name, (key) => this.process(key));
  }

  /** Starts observing; a subclass calls it once its own fields are set, as every stored object is observed at once. */
  protected watch(storage: Storage): void {
    this.unsubscribe = storage.subscribe((event) => this.observe(event));
  }

  stop(): void {
    this.unsubscribe?.();
    this.queue.stop();
  }

  protected abstract observe(event: StoredEvent): void;

  protected abstract process(key: string): void;
}
