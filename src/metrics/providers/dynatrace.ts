// The Dynatrace metrics provider, as Flagger's DynatraceProvider sends it: GET <address>/api/v2/metrics/query with
// the query as metricSelector, resolution=Inf over the last 10 metric intervals (epoch milliseconds), the token as
// "Authorization: Api-Token <token>" and a 5s timeout.
import type { Dispatcher } from 'undici';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import type { MetricsProvider } from '../types.ts';
import { answersOk, endpoint, field, getJson, httpAddress, type HttpQuery } from '../../util/http.ts';
import { credential, intervalMs, noValues } from './http-query.ts';

// Flagger queries from now - 10 × interval to now.
const WINDOW_INTERVALS = 10;

export interface DynatraceOptions {
  /** The environment URL, e.g. https://<id>.live.dynatrace.com. */
  address: string;
  token: string;
  /** The metric interval in milliseconds. */
  intervalMs: number;
  timeoutMs?: number;
  /** Clock seam for tests (epoch milliseconds). */
  now?: () => number;
  dispatcher?: Dispatcher;
}

export class DynatraceProvider implements MetricsProvider {
  private readonly base: URL;
  private readonly options: DynatraceOptions;

  constructor(options: DynatraceOptions) {
    this.base = httpAddress('dynatrace', options.address);
    this.options = options;
  }

  /** The address and `dynatrace_token` are required, with or without a secretRef. */
  static fromTemplate(
    provider: MetricTemplateProvider,
    credentials: Readonly<Record<string, string>> | undefined,
    interval: string,
  ): DynatraceProvider {
    if (provider.address === undefined || provider.address === '') {
      throw new Error('dynatrace endpoint is not set');
    }
    return new DynatraceProvider({
      address: provider.address,
      token: credential('dynatrace', credentials, 'dynatrace_token'),
      intervalMs: intervalMs(interval),
    });
  }

  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    // Flagger's "now" is whole seconds, in milliseconds; the window is 10 × the interval's whole milliseconds.
    const now = Math.floor((this.options.now ?? Date.now)() / 1000) * 1000;
    const from = now - WINDOW_INTERVALS * Math.trunc(this.options.intervalMs);
    const url = endpoint(this.base, '/api/v2/metrics/query', {
      metricSelector: query,
      resolution: 'Inf',
      from: String(from),
      to: String(now),
    });
    const { json, body } = await getJson(this.request(url, signal));
    return extractDynatraceValue(json, body);
  }

  /** True when GET /api/v2/metrics?pageSize=1 accepts the token (200). */
  isOnline(signal?: AbortSignal): Promise<boolean> {
    return answersOk(this.request(endpoint(this.base, '/api/v2/metrics', { pageSize: '1' }), signal));
  }

  private request(url: URL, signal: AbortSignal | undefined): HttpQuery {
    return {
      provider: 'dynatrace',
      url,
      headers: { Authorization: `Api-Token ${this.options.token}` },
      timeoutMs: this.options.timeoutMs,
      signal,
      dispatcher: this.options.dispatcher,
    };
  }
}

/**
 * The value of a metrics query answer, as Flagger reads it: the first result, its last data series, that series'
 * first value; a missing one is NoValuesError. A null value (Dynatrace's "no data in this bucket") is
 * NoValuesError too, where Flagger's Go decoding reads it as 0.
 */
export function extractDynatraceValue(response: unknown, body: string): number {
  const results = field(response, 'result');
  const first: unknown = Array.isArray(results) ? results[0] : undefined;
  const data = field(first, 'data');
  const series: unknown = Array.isArray(data) ? data.at(-1) : undefined;
  const values = field(series, 'values');
  const value: unknown = Array.isArray(values) ? values[0] : undefined;
  if (value === undefined || value === null) throw noValues(body);
  if (typeof value !== 'number') throw new Error(`dynatrace invalid response: ${body}`);
  return value;
}
