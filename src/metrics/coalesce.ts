// Identical queries to the same backend share one request: while one is in flight, and for a short window after
// it settles. Canaries whose templates render the same query (a shared error budget, a cluster-wide SLO) then cost
// the backend one query per window instead of one per canary per tick; a value a second old is as good as a new
// one for a check over a window of minutes.
import { createHash } from 'node:crypto';
import type { MetricsProvider } from './types.ts';

/** How long a settled result is shared. */
const DEFAULT_WINDOW_MS = 1_000;

export class QueryCoalescer {
  private readonly results = new Map<string, Promise<number>>();
  private readonly windowMs: number;

  constructor(windowMs = DEFAULT_WINDOW_MS) {
    this.windowMs = windowMs;
  }

  /**
   * The provider, answering through this coalescer. `identity` names the backend and everything that changes an
   * answer besides the query (address, credentials, the metric's interval for providers that use it).
   */
  wrap(provider: MetricsProvider, identity: unknown): MetricsProvider {
    const backend = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
    return {
      runQuery: (query, signal) => this.run(`${backend}\n${query}`, () => provider.runQuery(query, signal)),
      isOnline: signal => provider.isOnline(signal),
    };
  }

  private run(key: string, query: () => Promise<number>): Promise<number> {
    const shared = this.results.get(key);
    if (shared !== undefined) return shared;
    const result = query();
    this.results.set(key, result);
    const forget = () => setTimeout(() => this.results.delete(key), this.windowMs).unref();
    result.then(forget, forget);
    return result;
  }
}
