// The load of a ghz run: `concurrency` workers each send one call at a time until `total` calls are sent, the
// duration is up or the run is cancelled; with a rate, call k is not sent before k/rps seconds (ghz's constant
// pacer). When the duration ends, calls still in flight are cancelled and counted ("close", ghz's default),
// cancelled and dropped ("ignore"), or awaited ("wait").
import { Metadata, status, type Client, type ClientUnaryCall } from '@grpc/grpc-js';
import type { DurationStop } from './ghz-flags.ts';
import type { CallResult, EndReason } from './ghz-report.ts';
import { goCodeName, goStatusError, isServiceError } from './status.ts';

export interface LoadPlan {
  /** The call's path and its encoded request messages, used round-robin. */
  path: string;
  messages: readonly Buffer[];
  metadata: Record<string, string> | undefined;
  /** Infinity: until the duration ends. */
  total: number;
  concurrency: number;
  /** 0: as fast as the workers go. */
  rps: number;
  /** 0: none. */
  timeoutMs: number;
  /** -z: ends the run; 0: none. */
  durationMs: number;
  /** -x: ends the run even if `total` is not reached; 0: none. */
  maxDurationMs: number;
  durationStop: DurationStop;
  /** Results dropped from the tally, in the order they arrive. */
  skipFirst: number;
}

export interface LoadOutcome {
  results: CallResult[];
  totalNs: number;
  endReason: EndReason;
}

const passThrough = (bytes: Buffer) => bytes;

/** Runs the plan on `client`; `cancel` ends it early (Ctrl-C), as a "cancel". */
export function runLoad(client: Client, plan: LoadPlan, cancel?: AbortSignal): Promise<LoadOutcome> {
  return new LoadRun(client, plan).run(cancel);
}

class LoadRun {
  private readonly client: Client;
  private readonly plan: LoadPlan;
  private readonly metadata = new Metadata();
  private readonly results: CallResult[] = [];
  private readonly inFlight = new Set<ClientUnaryCall>();
  private readonly start = performance.now();
  private skipped = 0;
  private sent = 0;
  private endReason: EndReason = 'normal';
  private ignoring = false;
  private stopped = false;
  private readonly ended: Promise<void>;
  private signalEnd: () => void = () => undefined;

  constructor(client: Client, plan: LoadPlan) {
    this.client = client;
    this.plan = plan;
    for (const [key, value] of Object.entries(plan.metadata ?? {})) this.metadata.set(key, value);
    this.ended = new Promise(resolve => (this.signalEnd = resolve));
  }

  async run(cancel?: AbortSignal): Promise<LoadOutcome> {
    const { durationMs, maxDurationMs, durationStop } = this.plan;
    const timers = [durationMs, maxDurationMs]
      .filter(ms => ms > 0)
      .map(ms => setTimeout(() => this.end('timeout', durationStop), ms));
    const onCancel = () => this.end('cancel', 'close');
    cancel?.addEventListener('abort', onCancel, { once: true });
    await Promise.all(Array.from({ length: this.plan.concurrency }, () => this.work()));
    const totalNs = Math.round((performance.now() - this.start) * 1e6);
    for (const timer of timers) clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
    return { results: this.results, totalNs, endReason: this.endReason };
  }

  // A method, not the field: the field's narrowing would survive the awaits that it changes across.
  private isStopped(): boolean {
    return this.stopped;
  }

  private end(reason: EndReason, how: DurationStop): void {
    if (this.stopped) return;
    this.stopped = true;
    this.endReason = reason;
    this.ignoring = how === 'ignore';
    if (how !== 'wait') for (const call of this.inFlight) call.cancel();
    this.signalEnd();
  }

  /** One worker: takes the next call number, waits for its turn under the rate, sends it and awaits the answer. */
  private async work(): Promise<void> {
    while (!this.isStopped()) {
      const index = this.sent++;
      if (index >= this.plan.total) return;
      if (this.plan.rps > 0) {
        const wait = this.start + (index * 1000) / this.plan.rps - performance.now();
        if (wait > 0) await pause(wait, this.ended);
        if (this.isStopped()) return;
      }
      await this.send(index);
    }
  }

  private send(index: number): Promise<void> {
    const { path, messages, timeoutMs } = this.plan;
    const message = messages[index % messages.length] ?? Buffer.alloc(0);
    const options = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
    return new Promise(resolve => {
      const began = process.hrtime.bigint();
      const call = this.client.makeUnaryRequest(
        path,
        passThrough,
        passThrough,
        message,
        this.metadata,
        options,
        err => {
          this.inFlight.delete(call);
          this.record(Number(process.hrtime.bigint() - began), err);
          resolve();
        },
      );
      this.inFlight.add(call);
    });
  }

  private record(latencyNs: number, err: Error | null): void {
    if (this.ignoring) return;
    if (this.skipped < this.plan.skipFirst) {
      this.skipped++;
      return;
    }
    const failure = err && (isServiceError(err) ? err : { code: status.UNKNOWN, details: err.message });
    this.results.push({
      latencyNs,
      status: goCodeName(failure ? failure.code : status.OK),
      error: failure ? goStatusError(failure) : '',
      timestamp: new Date(),
    });
  }
}

/** Waits `ms`, or less if `until` settles first; leaves no timer behind. */
async function pause(ms: number, until: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([until, new Promise<void>(resolve => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
