// The Datadog metrics provider, as Flagger's DatadogProvider sends it: GET <address>/api/v1/query with the query
// over the last 10 metric intervals (Unix seconds), the API and application keys as headers, a 5s timeout.
import type { Dispatcher } from 'undici';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import type { MetricsProvider } from '../types.ts';
import { answersOk, endpoint, field, getJson, httpAddress, type HttpQuery } from '../../util/http.ts';
import { credential, intervalMs, noValues } from './http-query.ts';

export const DATADOG_DEFAULT_ADDRESS = 'https://api.datadoghq.com';
// Flagger queries from now - 10 × interval to now.
const WINDOW_INTERVALS = 10;

export interface DatadogOptions {
  /** Base URL; Datadog's US1 API when empty. */
  address?: string;
  apiKey: string;
  applicationKey: string;
  /** The metric interval in milliseconds. */
  intervalMs: number;
  timeoutMs?: number;
  /** Clock seam for tests (epoch milliseconds). */
  now?: () => number;
  dispatcher?: Dispatcher;
}

export class DatadogProvider implements MetricsProvider {
  private readonly base: URL;
  private readonly options: DatadogOptions;

  constructor(options: DatadogOptions) {
    const address =
      options.address === undefined || options.address === '' ? DATADOG_DEFAULT_ADDRESS : options.address;
    this.base = httpAddress('datadog', address);
    this.options = options;
  }

  /** Both `datadog_api_key` and `datadog_application_key` are required, with or without a secretRef. */
  static fromTemplate(
    provider: MetricTemplateProvider,
    credentials: Readonly<Record<string, string>> | undefined,
    interval: string,
  ): DatadogProvider {
    const apiKey = credential('datadog', credentials, 'datadog_api_key');
    const applicationKey = credential('datadog', credentials, 'datadog_application_key');
    return new DatadogProvider({
      ...(provider.address !== undefined && { address: provider.address }),
      apiKey,
      applicationKey,
      intervalMs: intervalMs(interval),
    });
  }

  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const now = Math.floor((this.options.now ?? Date.now)() / 1000);
    // Go truncates 10 × interval to whole seconds.
    const fromDelta = Math.trunc((WINDOW_INTERVALS * this.options.intervalMs) / 1000);
    const url = endpoint(this.base, '/api/v1/query', {
      query,
      from: String(now - fromDelta),
      to: String(now),
    });
    const { json, body } = await getJson(this.request(url, signal));
    return extractDatadogValue(json, body);
  }

  /** True when GET /api/v1/validate accepts the keys (200). */
  isOnline(signal?: AbortSignal): Promise<boolean> {
    return answersOk(this.request(endpoint(this.base, '/api/v1/validate'), signal));
  }

  private request(url: URL, signal: AbortSignal | undefined): HttpQuery {
    return {
      provider: 'datadog',
      url,
      headers: { 'DD-API-KEY': this.options.apiKey, 'DD-APPLICATION-KEY': this.options.applicationKey },
      timeoutMs: this.options.timeoutMs,
      signal,
      dispatcher: this.options.dispatcher,
    };
  }
}

/**
 * The value of a /api/v1/query answer. Like Flagger: the first series, and its first (oldest) point, because the
 * newest bucket is usually incomplete; no series or no point is NoValuesError. A null value is NoValuesError too
 * (Flagger's Go decoding reads it as 0), and an answer with status "error" fails with Datadog's message.
 */
export function extractDatadogValue(response: unknown, body: string): number {
  if (field(response, 'status') === 'error') {
    throw new Error(`datadog query error: ${JSON.stringify(field(response, 'error') ?? body)}`);
  }
  const series = field(response, 'series');
  const first: unknown = Array.isArray(series) ? series[0] : undefined;
  const points = field(first, 'pointlist');
  const point: unknown = Array.isArray(points) ? points[0] : undefined;
  const value: unknown = Array.isArray(point) ? point[1] : undefined;
  if (value === undefined || value === null) throw noValues(body);
  if (typeof value !== 'number') throw new Error(`datadog invalid response: ${body}`);
  return value;
}
