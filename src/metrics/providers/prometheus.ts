// The Prometheus metrics provider: instant queries over the HTTP API, as Flagger's PrometheusProvider sends them
// (GET <address>/api/v1/query, whitespace-collapsed query, 5s timeout, bearer or basic auth, custom headers).
import { Headers, fetch, type Dispatcher } from 'undici';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import { NoValuesError, type MetricsProvider } from '../types.ts';
import { describeFailure, excerpt, field, insecureAgent, readBody } from '../../util/http.ts';
import { redactUrl } from '../../util/redact.ts';

export const PROMETHEUS_TIMEOUT_MS = 5_000;
const ONLINE_QUERY = 'vector(1)';

/** The query returned a range vector (several samples per series): Flagger's ErrMultipleValuesReturned. */
export class MultipleValuesError extends Error {
  constructor(message = 'multiple values returned') {
    super(message);
    this.name = 'MultipleValuesError';
  }
}

export interface PrometheusOptions {
  /** Base URL; a path is kept (http://host/prometheus queries http://host/prometheus/api/v1/query). */
  address: string;
  /** Sent as "Authorization: Bearer <token>"; wins over basic auth. */
  token?: string;
  /** Basic auth, used only when both are non-empty (as in Flagger). */
  username?: string;
  password?: string;
  /** Extra request headers (MetricTemplate provider.headers). */
  headers?: Readonly<Record<string, readonly string[]>>;
  insecureSkipVerify?: boolean;
  timeoutMs?: number;
  /** HTTP seam for tests; by default undici's global dispatcher (or an insecure agent). */
  dispatcher?: Dispatcher;
}

export class PrometheusProvider implements MetricsProvider {
  private readonly url: URL;
  private readonly options: PrometheusOptions;

  constructor(options: PrometheusOptions) {
    this.url = parseAddress(options.address);
    this.options = options;
  }

  /**
   * A provider for a MetricTemplate. With a secretRef the credentials must hold `token`, or else both `username`
   * and `password`; Flagger's error texts are kept.
   */
  static fromTemplate(
    provider: MetricTemplateProvider,
    credentials?: Readonly<Record<string, string>>,
  ): PrometheusProvider {
    const auth: Pick<PrometheusOptions, 'token' | 'username' | 'password'> = {};
    if (provider.secretRef !== undefined) {
      const creds = credentials ?? {};
      if (creds.token !== undefined) auth.token = creds.token;
      else {
        auth.username = requireKey(creds, 'username', provider.type);
        auth.password = requireKey(creds, 'password', provider.type);
      }
    }
    return new PrometheusProvider({
      address: provider.address ?? '',
      ...auth,
      ...(provider.headers !== undefined && { headers: provider.headers }),
      ...(provider.insecureSkipVerify === true && { insecureSkipVerify: true }),
    });
  }

  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const url = this.queryUrl(query);
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? PROMETHEUS_TIMEOUT_MS);
    let status: number;
    let body: string;
    try {
      const response = await fetch(url, {
        headers: this.requestHeaders(),
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        dispatcher: this.dispatcher(),
      });
      status = response.status;
      body = await readBody(response);
    } catch (err) {
      throw new Error(`request failed: Get "${redactUrl(url)}": ${describeFailure(err)}`, { cause: err });
    }
    if (status >= 400) throw new Error(`error response: ${excerpt(body)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw new Error(`error unmarshaling result: ${describeFailure(err)}, '${excerpt(body)}'`, {
        cause: err,
      });
    }
    return extractValue(parsed);
  }

  /** True when `vector(1)` returns 1; false on any failure (never throws). */
  async isOnline(signal?: AbortSignal): Promise<boolean> {
    try {
      return (await this.runQuery(ONLINE_QUERY, signal)) === 1;
    } catch {
      return false;
    }
  }

  private queryUrl(query: string): string {
    const url = new URL(this.url);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
    // Flagger collapses every run of whitespace (Go's \s: space, \t, \n, \f, \r) to one space.
    url.search = new URLSearchParams({ query: query.replace(/[ \t\n\f\r]+/g, ' ') }).toString();
    url.hash = '';
    return url.toString();
  }

  private requestHeaders(): Headers {
    const headers = new Headers();
    for (const [name, values] of Object.entries(this.options.headers ?? {})) {
      for (const value of values) headers.append(name, value);
    }
    const { token, username, password } = this.options;
    if (token !== undefined && token !== '') headers.set('Authorization', `Bearer ${token}`);
    else if (username !== undefined && username !== '' && password !== undefined && password !== '') {
      headers.set('Authorization', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
    }
    return headers;
  }

  private dispatcher(): Dispatcher | undefined {
    if (this.options.dispatcher !== undefined) return this.options.dispatcher;
    return this.options.insecureSkipVerify === true ? insecureAgent() : undefined;
  }
}

/**
 * The number in a query response. Like Flagger: in a vector the last sample wins, a matrix is
 * MultipleValuesError, and no sample or NaN is NoValuesError. A scalar result is read as one sample (Flagger
 * fails to decode it).
 */
export function extractValue(response: unknown): number {
  const data = field(response, 'data');
  const result = field(data, 'result');
  if (field(data, 'resultType') === 'scalar') return finalValue(sampleValue(result));
  if (result !== undefined && result !== null && !Array.isArray(result)) {
    throw new Error(`unexpected result type ${JSON.stringify(field(data, 'resultType'))}`);
  }
  let value: number | undefined;
  for (const series of Array.isArray(result) ? (result as unknown[]) : []) {
    if (field(series, 'values') !== undefined) throw new MultipleValuesError();
    value = sampleValue(field(series, 'value')) ?? value;
  }
  return finalValue(value);
}

function finalValue(value: number | undefined): number {
  if (value === undefined || Number.isNaN(value)) throw new NoValuesError();
  return value;
}

/** The value of a [timestamp, "value"] pair; undefined when it holds no string value (Go skips those). */
function sampleValue(sample: unknown): number | undefined {
  const text: unknown = Array.isArray(sample) ? sample[1] : undefined;
  return typeof text === 'string' ? parseGoFloat(text) : undefined;
}

/** Go's strconv.ParseFloat for what Prometheus writes: decimals, exponents, NaN, +Inf and -Inf. */
export function parseGoFloat(text: string): number {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return Number(text);
}

function parseAddress(address: string): URL {
  const url = URL.canParse(address) ? new URL(address) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`prometheus address ${redactUrl(address)} is not a valid URL`);
  }
  return url;
}

function requireKey(credentials: Readonly<Record<string, string>>, key: string, type: string): string {
  const value = credentials[key];
  if (value === undefined) throw new Error(`${type} credentials does not contain a ${key}`);
  return value;
}
