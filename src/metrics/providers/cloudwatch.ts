// The CloudWatch metrics provider, as Flagger's CloudWatchProvider queries it: the query is a JSON array of
// MetricDataQuery objects sent to GetMetricData over the last 10 metric intervals (at most 20 data points), with
// the AWS SDK's default credential chain in the template's region. The SDK client is injected (see
// CloudWatchClient) so that the provider is tested without AWS.
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import type { MetricsProvider } from '../types.ts';
import { field } from '../../util/http.ts';
import { intervalMs, noValues } from './http-query.ts';

// Flagger queries from now - 10 × interval to now, at most 20 data points, with 3 retries (4 attempts).
const WINDOW_INTERVALS = 10;
const MAX_DATAPOINTS = 20;
export const CLOUDWATCH_MAX_ATTEMPTS = 4;

export interface GetMetricDataInput {
  StartTime?: Date;
  EndTime?: Date;
  MaxDatapoints?: number;
  MetricDataQueries?: object[];
}

export interface GetMetricDataOutput {
  MetricDataResults?: { Values?: number[] }[];
}

/**
 * The one call the provider makes. The AWS SDK v3 aggregated client satisfies it:
 * `new CloudWatch({ region, maxAttempts: CLOUDWATCH_MAX_ATTEMPTS })` from `@aws-sdk/client-cloudwatch`, whose
 * service errors carry `$metadata.httpStatusCode`.
 */
export interface CloudWatchClient {
  getMetricData(
    input: GetMetricDataInput,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetMetricDataOutput>;
}

export interface CloudWatchOptions {
  client: CloudWatchClient;
  /** The metric interval in milliseconds. */
  intervalMs: number;
  /** Clock seam for tests (epoch milliseconds). */
  now?: () => number;
}

export class CloudWatchProvider implements MetricsProvider {
  private readonly options: CloudWatchOptions;

  constructor(options: CloudWatchOptions) {
    this.options = options;
  }

  /** `region` is required; `clientFor` builds the SDK client for it (credentials: the SDK's default chain). */
  static fromTemplate(
    provider: MetricTemplateProvider,
    interval: string,
    clientFor: (region: string) => CloudWatchClient,
  ): CloudWatchProvider {
    if (provider.region === undefined || provider.region === '') throw new Error('region not specified');
    const ms = intervalMs(interval);
    return new CloudWatchProvider({ client: clientFor(provider.region), intervalMs: ms });
  }

  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const queries = parseMetricDataQueries(query);
    const end = (this.options.now ?? Date.now)();
    const input = {
      StartTime: new Date(end - WINDOW_INTERVALS * this.options.intervalMs),
      EndTime: new Date(end),
      MaxDatapoints: MAX_DATAPOINTS,
      MetricDataQueries: queries,
    };
    let output: GetMetricDataOutput;
    try {
      output = await this.options.client.getMetricData(
        input,
        signal === undefined ? {} : { abortSignal: signal },
      );
    } catch (err) {
      throw new Error(`error requesting cloudwatch: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    return extractCloudWatchValue(output);
  }

  /**
   * Like Flagger: GetMetricData with no queries over an empty range must succeed or be refused with HTTP 400 (a
   * validation error); anything else, such as a 403 without cloudwatch:GetMetricData, means offline.
   */
  async isOnline(signal?: AbortSignal): Promise<boolean> {
    const input = { StartTime: new Date(0), EndTime: new Date(0), MetricDataQueries: [] };
    try {
      await this.options.client.getMetricData(input, signal === undefined ? {} : { abortSignal: signal });
      return true;
    } catch (err) {
      return field(field(err, '$metadata'), 'httpStatusCode') === 400;
    }
  }
}

/** The first value of the first result, as Flagger reads it; none is NoValuesError. */
export function extractCloudWatchValue(output: GetMetricDataOutput): number {
  const value = output.MetricDataResults?.[0]?.Values?.[0];
  if (value === undefined) throw noValues(JSON.stringify(output));
  return value;
}

// Every field of MetricDataQuery and what it holds, by lower-cased name.
const FIELD_NAMES = [
  'Id',
  'Expression',
  'Label',
  'ReturnData',
  'Period',
  'AccountId',
  'MetricStat',
  'Metric',
  'Stat',
  'Unit',
  'Namespace',
  'MetricName',
  'Dimensions',
  'Name',
  'Value',
];
const CANONICAL = new Map(FIELD_NAMES.map(name => [name.toLowerCase(), name]));

/**
 * The query's MetricDataQuery array. Flagger decodes it with Go's encoding/json, which matches field names without
 * regard to case ("id" fills Id); the SDK sends only exactly named fields, so names are put in their AWS case.
 */
export function parseMetricDataQueries(query: string): object[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(query);
  } catch (err) {
    throw new Error(`error unmarshaling query: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (parsed === null) return [];
  if (
    !Array.isArray(parsed) ||
    !parsed.every(item => typeof item === 'object' && item !== null && !Array.isArray(item))
  ) {
    throw new Error('error unmarshaling query: expected a JSON array of MetricDataQuery objects');
  }
  return (parsed as unknown[]).map(item => canonicalKeys(item) as object);
}

function canonicalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([key, inner]) => [
    CANONICAL.get(key.toLowerCase()) ?? key,
    canonicalKeys(inner),
  ]);
  return Object.fromEntries(entries) as unknown;
}
