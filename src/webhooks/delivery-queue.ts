// Event webhooks are delivered in the background, in order per canary, so that a slow or unreachable receiver
// never delays the analysis (Flagger posts them inline, one goroutine each, in no order). Each canary's queue is
// bounded: when a receiver stays down, the oldest waiting events are dropped and the drop is reported.

export interface DeliveryQueueOptions {
  /** Most deliveries waiting per key; older ones are dropped beyond it. */
  limit?: number;
  /** Told of a failed or dropped delivery. */
  onProblem: (key: string, problem: string) => void;
}

interface Lane {
  waiting: (() => Promise<void>)[];
  running: boolean;
}

export class DeliveryQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly options: Required<DeliveryQueueOptions>;
  private idle: (() => void)[] = [];

  constructor(options: DeliveryQueueOptions) {
    this.options = { limit: 1000, ...options };
  }

  /** Queues a delivery after the key's earlier ones; returns at once. */
  push(key: string, deliver: () => Promise<void>): void {
    const lane = this.lanes.get(key) ?? { waiting: [], running: false };
    this.lanes.set(key, lane);
    lane.waiting.push(deliver);
    if (lane.waiting.length > this.options.limit) {
      lane.waiting.shift();
      this.options.onProblem(
        key,
        `event webhook queue full: dropped the oldest of ${String(this.options.limit)}`,
      );
    }
    if (!lane.running) void this.run(key, lane);
  }

  /** Resolves when nothing is waiting or running. */
  drained(): Promise<void> {
    if (this.lanes.size === 0) return Promise.resolve();
    return new Promise(resolve => this.idle.push(resolve));
  }

  private async run(key: string, lane: Lane): Promise<void> {
    lane.running = true;
    for (let next = lane.waiting.shift(); next !== undefined; next = lane.waiting.shift()) {
      try {
        await next();
      } catch (err) {
        this.options.onProblem(key, err instanceof Error ? err.message : String(err));
      }
    }
    lane.running = false;
    this.lanes.delete(key);
    if (this.lanes.size === 0) {
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }
}
