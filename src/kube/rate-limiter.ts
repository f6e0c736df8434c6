// Client-side rate limit of API requests, as client-go's token bucket behind Flagger's -kubeconfig-qps and
// -kubeconfig-burst: up to `burst` requests at once, then `qps` per second. Requests wait in arrival order.
import { setTimeout as sleep } from 'node:timers/promises';

export interface RateLimit {
  /** Sustained requests per second. */
  qps: number;
  /** Requests allowed at once after a quiet period. */
  burst: number;
}

/** Where the bucket reads the time and waits: the real clock, or a mocked one in tests. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const REAL_CLOCK: Clock = { now: () => performance.now(), sleep: ms => sleep(ms) };

export class TokenBucket {
  private tokens: number;
  private last: number;
  /** The tail of the waiting line: each waiter starts after the one before it has its token. */
  private line: Promise<void> = Promise.resolve();
  private readonly limit: RateLimit;
  private readonly clock: Clock;

  constructor(limit: RateLimit, clock: Clock = REAL_CLOCK) {
    if (!(limit.qps > 0) || !(limit.burst >= 1)) throw new Error('a rate limit needs qps > 0 and burst >= 1');
    this.limit = limit;
    this.clock = clock;
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const turn = this.line.then(() => this.waitForToken());
    this.line = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await this.clock.sleep(((1 - this.tokens) / this.limit.qps) * 1000);
      this.refill();
    }
    this.tokens -= 1;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.qps);
    this.last = now;
  }
}
