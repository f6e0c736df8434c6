// The New Relic metrics provider, as Flagger's NewRelicProvider sends it: an NRQL query to the Insights API,
// GET <address>/v1/accounts/<account id>/query?nrql=<query> SINCE <interval seconds> seconds ago, with the query key
// as X-Query-Key and a 5s timeout.
import type { Dispatcher } from 'undici';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import type { MetricsProvider } from '../types.ts';
import { answersOk, endpoint, field, getJson, httpAddress, type HttpQuery } from '../../util/http.ts';
import { credential, intervalMs, noValues } from './http-query.ts';
import { MultipleValuesError } from './prometheus.ts';

export const NEWRELIC_DEFAULT_ADDRESS = 'https://insights-api.newrelic.com';
const ONLINE_QUERY = 'SELECT * FROM Metric';

export interface NewRelicOptions {
  /** Base URL; the Insights API when empty. */
  address?: string;
  accountId: string;
  queryKey: string;
  /** The metric interval in milliseconds. */
  intervalMs: number;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export class NewRelicProvider implements MetricsProvider {
  private readonly url: URL;
  private readonly options: NewRelicOptions;

  constructor(options: NewRelicOptions) {
    const address =
      options.address === undefined || options.address === '' ? NEWRELIC_DEFAULT_ADDRESS : options.address;
    this.url = endpoint(
      httpAddress('newrelic', address),
      `/v1/accounts/${encodeURIComponent(options.accountId)}/query`,
    );
    this.options = options;
  }

  /** `newrelic_account_id` and `newrelic_query_key` are required, with or without a secretRef. */
  static fromTemplate(
    provider: MetricTemplateProvider,
    credentials: Readonly<Record<string, string>> | undefined,
    interval: string,
  ): NewRelicProvider {
    const accountId = credential('newrelic', credentials, 'newrelic_account_id');
    const queryKey = credential('newrelic', credentials, 'newrelic_query_key');
    return new NewRelicProvider({
      ...(provider.address !== undefined && { address: provider.address }),
      accountId,
      queryKey,
      intervalMs: intervalMs(interval),
    });
  }

  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const { json, body } = await getJson(this.request(query, signal));
    return extractNewRelicValue(json, body);
  }

  /** True when the Insights API answers an NRQL query with 200. */
  isOnline(signal?: AbortSignal): Promise<boolean> {
    return answersOk(this.request(ONLINE_QUERY, signal));
  }

  private request(query: string, signal: AbortSignal | undefined): HttpQuery {
    // Go truncates the interval to whole seconds.
    const seconds = Math.trunc(this.options.intervalMs / 1000);
    const url = new URL(this.url);
    url.search = new URLSearchParams({ nrql: `${query} SINCE ${seconds} seconds ago` }).toString();
    return {
      provider: 'newrelic',
      url,
      headers: { 'X-Query-Key': this.options.queryKey },
      timeoutMs: this.options.timeoutMs,
      signal,
      dispatcher: this.options.dispatcher,
    };
  }
}

/**
 * `results[0].result` of an NRQL answer. No result, or a null one, is NoValuesError as in Flagger. Several results
 * are MultipleValuesError (Flagger reports them as no values, which hides a query that is not an aggregate).
 */
export function extractNewRelicValue(response: unknown, body: string): number {
  const results = field(response, 'results');
  const list: unknown[] = Array.isArray(results) ? (results as unknown[]) : [];
  if (list.length > 1) throw new MultipleValuesError(`invalid response: ${body}: multiple values returned`);
  const value = field(list[0], 'result');
  if (value === undefined || value === null) throw noValues(body);
  if (typeof value !== 'number') throw new Error(`newrelic invalid response: ${body}`);
  return value;
}
