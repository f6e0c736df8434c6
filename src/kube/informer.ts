// A supervised list+watch cache for one kind. It keeps watching whatever happens to the connection: a watch that
// ends is resumed from the last resourceVersion seen, an error is retried with backoff, an expired
// resourceVersion (410 Gone) triggers a relist, and a periodic relist repairs anything a watch could have missed.
// After a relist, handlers see only real differences, so no update is lost or delivered twice.
import type { Logger } from 'pino';
import type { KubeClient, WatchEvent, WatchHandle } from './client.ts';
import { isGone } from './errors.ts';
import { objectKey, type KubeObject } from './types.ts';

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  /** Caches metadata only (see ListOptions.metadataOnly). */
  metadataOnly?: boolean;
  /** Full relist period; Flagger's informers resync every few minutes too. */
  relistIntervalMs?: number;
  /** First retry delay after a failed list or watch; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  logger: Logger;
}

/** Counters that tell how healthy the informer's connection has been. */
export interface InformerStats {
  lists: number;
  watches: number;
  events: number;
  errors: number;
  gone: number;
}

interface StatusObject {
  kind?: string;
  code?: number;
  message?: string;
  metadata?: { resourceVersion?: string };
}

export class Informer<T extends KubeObject> {
  readonly stats: InformerStats = { lists: 0, watches: 0, events: 0, errors: 0, gone: 0 };
  private readonly store = new Map<string, T>();
  private readonly client: KubeClient;
  private readonly options: Required<Omit<InformerOptions, 'namespace' | 'labelSelector' | 'metadataOnly'>> &
    InformerOptions;
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = '';
  private watch: WatchHandle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private relistTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private running = false;
  /** Bumped by every relist and by stop(), so that work started for an older list is dropped. */
  private generation = 0;
  private markSynced: () => void = () => undefined;
  /** Resolves once the first list has been loaded into the cache. */
  readonly synced: Promise<void>;

  constructor(client: KubeClient, options: InformerOptions) {
    this.client = client;
    // Defaults with ??: a caller passing `relistIntervalMs: undefined` must not turn the relist period into 1 ms.
    this.options = {
      ...options,
      relistIntervalMs: options.relistIntervalMs ?? 10 * 60_000,
      initialBackoffMs: options.initialBackoffMs ?? 500,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
    };
    this.synced = new Promise(resolve => (this.markSynced = resolve));
  }

  /** Registers handlers; objects already cached are not replayed, so register before start(). */
  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.relist();
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.watch?.abort();
    this.watch = undefined;
    clearTimeout(this.timer);
    clearTimeout(this.relistTimer);
  }

  /** The cached object with this namespace/name key. */
  get(key: string): T | undefined {
    return this.store.get(key);
  }

  /** Every cached object, optionally only those of one namespace. */
  list(namespace?: string): T[] {
    const all = [...this.store.values()];
    return namespace === undefined ? all : all.filter(o => o.metadata?.namespace === namespace);
  }

  /** Lists, replaces the cache with the result (notifying differences) and watches from there. */
  private async relist(): Promise<void> {
    const generation = ++this.generation;
    this.watch?.abort();
    this.watch = undefined;
    clearTimeout(this.relistTimer);
    if (!this.running) return;
    const { apiVersion, kind, namespace, labelSelector, metadataOnly } = this.options;
    try {
      const list = await this.client.list<T>(apiVersion, kind, { namespace, labelSelector, metadataOnly });
      this.stats.lists++;
      if (generation !== this.generation) return;
      this.replace(list.items);
      this.resourceVersion = list.resourceVersion;
      this.failures = 0;
      this.markSynced();
    } catch (err) {
      this.retryLater('list', err, () => void this.relist());
      return;
    }
    this.relistTimer = setTimeout(() => void this.relist(), this.options.relistIntervalMs);
    this.relistTimer.unref();
    await this.startWatch();
  }

  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKey(item);
      seen.add(key);
      this.upsert(key, item);
    }
    for (const [key, old] of this.store) {
      if (!seen.has(key)) {
        this.store.delete(key);
        this.emit(h => h.onDelete?.(old));
      }
    }
  }

  private async startWatch(): Promise<void> {
    if (!this.running) return;
    const { apiVersion, kind, namespace, labelSelector, metadataOnly } = this.options;
    const generation = this.generation;
    try {
      this.stats.watches++;
      const handle = await this.client.watch<T>(
        apiVersion,
        kind,
        { namespace, labelSelector, metadataOnly, resourceVersion: this.resourceVersion },
        event => {
          if (generation === this.generation) this.onEvent(event);
        },
        err => {
          if (generation === this.generation) this.onWatchEnd(err);
        },
      );
      if (generation !== this.generation) handle.abort();
      else this.watch = handle;
    } catch (err) {
      if (generation === this.generation) this.onWatchEnd(err);
    }
  }

  private onEvent(event: WatchEvent<T>): void {
    this.stats.events++;
    const rv = event.object.metadata?.resourceVersion;
    switch (event.type) {
      case 'BOOKMARK':
        break;
      case 'ERROR':
        this.onWatchError(event.object);
        return;
      case 'ADDED':
      case 'MODIFIED':
        this.upsert(objectKey(event.object), event.object);
        break;
      case 'DELETED':
        this.remove(objectKey(event.object), event.object);
        break;
    }
    if (rv) this.resourceVersion = rv;
    // Events are flowing: the connection is healthy again.
    this.failures = 0;
  }

  private onWatchError(status: StatusObject): void {
    if (status.code === 410) {
      this.stats.gone++;
      this.options.logger.debug({ kind: this.options.kind }, 'watch expired (410 Gone), relisting');
      void this.relist();
      return;
    }
    this.stats.errors++;
    this.options.logger.warn({ kind: this.options.kind, status }, 'watch error event');
  }

  private onWatchEnd(err: unknown): void {
    this.watch = undefined;
    if (!this.running) return;
    if (isGone(err)) {
      this.stats.gone++;
      void this.relist();
      return;
    }
    if (!err || isTimeout(err)) {
      // The server or our inactivity timer closed a healthy watch: resume at once from the last version.
      void this.startWatch();
      return;
    }
    this.retryLater('watch', err, () => void this.startWatch());
  }

  private retryLater(what: string, err: unknown, retry: () => void): void {
    if (!this.running) return;
    this.stats.errors++;
    const delay = Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** this.failures);
    this.failures++;
    this.options.logger.debug(
      { kind: this.options.kind, err: err instanceof Error ? err.message : String(err), retryInMs: delay },
      `${what} failed, retrying`,
    );
    clearTimeout(this.timer);
    this.timer = setTimeout(retry, delay);
    this.timer.unref();
  }

  private upsert(key: string, obj: T): void {
    const old = this.store.get(key);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion) return;
    // Who wrote which field is of no use to a cache, and often its largest part (client-go's informers in
    // controller-runtime drop it too): memory that grows with every cached object.
    delete obj.metadata?.managedFields;
    this.store.set(key, obj);
    if (old) this.emit(h => h.onUpdate?.(old, obj));
    else this.emit(h => h.onAdd?.(obj));
  }

  private remove(key: string, last: T): void {
    if (!this.store.delete(key)) return;
    this.emit(h => h.onDelete?.(last));
  }

  private emit(call: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        this.options.logger.error({ err, kind: this.options.kind }, 'informer handler failed');
      }
    }
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}
