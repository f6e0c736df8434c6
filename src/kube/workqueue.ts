// A keyed work queue with client-go's guarantees: a key waits in the queue at most once however often it is
// added, one key is never handled by two workers at once (an add during handling re-queues it afterwards), and
// a failing key is retried with per-key exponential backoff.

export interface WorkQueueOptions {
  /** First retry delay after a failure. */
  baseDelayMs?: number;
  /** Upper bound of the retry delay. */
  maxDelayMs?: number;
}

/** Handles one key; a thrown error retries the key with backoff. */
export type KeyHandler = (key: string) => Promise<void>;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: handled again once the current run ends. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters: (() => void)[] = [];
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private stopped = false;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
  }

  /** Queues a key now; a no-op when it is already waiting. */
  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  /** Queues a key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const existing = this.timers.get(key);
    if (existing) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Queues a key after its backoff delay, which doubles with each consecutive failure. */
  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.addAfter(key, this.backoffDelay(failures));
  }

  /** Forgets a key's failures, so that its next failure starts at the base delay again. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** How many times the key has failed in a row. */
  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The number of keys waiting to be handled. */
  get length(): number {
    return this.queue.length;
  }

  /** Runs workers until shutdown(); handler errors are passed to onError and retried with backoff. */
  async run(
    workers: number,
    handler: KeyHandler,
    onError: (key: string, err: unknown) => void,
  ): Promise<void> {
    const loops = Array.from({ length: workers }, () => this.workerLoop(handler, onError));
    await Promise.all(loops);
  }

  /** Stops accepting keys and lets running workers finish their current key. */
  shutdown(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async workerLoop(handler: KeyHandler, onError: (key: string, err: unknown) => void): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      try {
        await handler(key);
        this.forget(key);
      } catch (err) {
        onError(key, err);
        this.addRateLimited(key);
      } finally {
        this.done(key);
      }
    }
  }

  private async next(): Promise<string | undefined> {
    while (!this.stopped && this.queue.length === 0) {
      await new Promise<void>(resolve => this.waiters.push(resolve));
    }
    if (this.stopped) return undefined;
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.queued.delete(key);
    this.processing.add(key);
    return key;
  }

  private done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  private backoffDelay(failures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** failures);
  }
}
