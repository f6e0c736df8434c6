// The Graphite metrics provider, as Flagger's GraphiteProvider sends it: the query is itself a render API query
// string (target=...&from=...), sent as GET <address>/render?<query>&format=json with optional basic auth, a 5s
// timeout and optionally no TLS verification.
import type { Dispatcher } from 'undici';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import { NoValuesError, type MetricsProvider } from '../types.ts';
import { endpoint, getJson, httpAddress, insecureAgent, type HttpQuery } from '../../util/http.ts';
import { credential } from './http-query.ts';
import { parseGoFloat } from './prometheus.ts';

const ONLINE_QUERY = 'target=test';

export interface GraphiteOptions {
  /** Base URL; a path is kept (http://host/graphite renders at http://host/graphite/render). */
  address: string;
  /** Basic auth, sent only when both are non-empty (as in Flagger). */
  username?: string;
  password?: string;
  insecureSkipVerify?: boolean;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export class GraphiteProvider implements MetricsProvider {
  private readonly base: URL;
  private readonly options: GraphiteOptions;

  constructor(options: GraphiteOptions) {
    this.base = httpAddress('graphite', options.address);
    this.options = options;
  }

  /** With a secretRef the credentials must hold both `username` and `password`. */
  static fromTemplate(
    provider: MetricTemplateProvider,
    credentials: Readonly<Record<string, string>> | undefined,
  ): GraphiteProvider {
    const auth =
      provider.secretRef === undefined
        ? {}
        : {
            username: credential('graphite', credentials, 'username', 'a username'),
            password: credential('graphite', credentials, 'password', 'a password'),
          };
    return new GraphiteProvider({
      address: provider.address ?? '',
      ...auth,
      ...(provider.insecureSkipVerify === true && { insecureSkipVerify: true }),
    });
  }

  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const { json, body } = await getJson(this.request(query, signal), status => status < 400);
    return extractGraphiteValue(json, body);
  }

  /** True when the render API answers `target=test`, with or without data. */
  async isOnline(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.runQuery(ONLINE_QUERY, signal);
      return true;
    } catch (err) {
      return err instanceof NoValuesError;
    }
  }

  private request(query: string, signal: AbortSignal | undefined): HttpQuery {
    // Like Flagger: whitespace runs (Go's \s) collapse to one space, the query string is decoded, format=json is
    // set and the parameters are re-encoded in key order (Go's url.Values.Encode).
    const params = new URLSearchParams(query.replace(/[ \t\n\f\r]+/g, ' '));
    params.set('format', 'json');
    params.sort();
    const url = endpoint(this.base, '/render');
    url.search = params.toString();
    const { username, password } = this.options;
    const basic =
      username !== undefined && username !== '' && password !== undefined && password !== ''
        ? { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }
        : undefined;
    return {
      provider: 'graphite',
      url,
      ...(basic !== undefined && { headers: basic }),
      timeoutMs: this.options.timeoutMs,
      signal,
      dispatcher:
        this.options.dispatcher ?? (this.options.insecureSkipVerify === true ? insecureAgent() : undefined),
    };
  }
}

/**
 * The last non-null datapoint over every target of a render answer ([{target, datapoints: [[value, ts], ...]}]),
 * as in Flagger; values may be numbers or numeric strings. No such datapoint is NoValuesError.
 */
export function extractGraphiteValue(response: unknown, body: string): number {
  if (!Array.isArray(response)) throw new Error(`graphite invalid response: ${body}`);
  let value: number | undefined;
  for (const target of response as unknown[]) {
    const points =
      typeof target === 'object' && target !== null ? (target as { datapoints?: unknown }).datapoints : [];
    for (const point of Array.isArray(points) ? (points as unknown[]) : []) {
      value = datapointValue(point) ?? value;
    }
  }
  if (value === undefined) throw new NoValuesError();
  return value;
}

function datapointValue(point: unknown): number | undefined {
  if (!Array.isArray(point) || point.length !== 2) {
    throw new Error(`graphite error unmarshaling data point: ${JSON.stringify(point)}`);
  }
  const value: unknown = point[0];
  if (value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return parseGoFloat(value);
  throw new Error(`graphite error unmarshaling value: ${JSON.stringify(value)}`);
}
