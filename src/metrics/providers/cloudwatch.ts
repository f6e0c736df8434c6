// The CloudWatch metrics provider, as Flagger's CloudWatchProvider queries it: the query is a JSON array of
// MetricDataQuery objects sent to GetMetricData over the last 10 metric intervals (at most 20 data points), with
// the AWS SDK's default credential chain in the template's region. The SDK honours its usual endpoint settings
// (AWS_ENDPOINT_URL_CLOUDWATCH, AWS_ENDPOINT_URL, a profile's endpoint_url): a VPC endpoint, or a local server in
// tests. Unlike Flagger, a query has a deadline and reads a bounded answer: a hung endpoint or one that streams
// without end would otherwise hold the canary's analysis (Go's SDK waits forever, the JS SDK 15 minutes).
import { CloudWatch } from '@aws-sdk/client-cloudwatch';
import type { Readable } from 'node:stream';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import type { MetricsProvider } from '../types.ts';
import { excerpt, field, MAX_RESPONSE_BYTES, ResponseTooLargeError } from '../../util/http.ts';
import { intervalMs, noValues } from './http-query.ts';

// Flagger queries from now - 10 × interval to now, at most 20 data points, with 3 retries (4 attempts).
const WINDOW_INTERVALS = 10;
const MAX_DATAPOINTS = 20;
const CLOUDWATCH_MAX_ATTEMPTS = 4;
/** One query or health check, every attempt and the SDK's waits between them included. */
export const CLOUDWATCH_TIMEOUT_MS = 10_000;

export interface GetMetricDataInput {
  StartTime?: Date;
  EndTime?: Date;
  MaxDatapoints?: number;
  MetricDataQueries?: object[];
}

export interface GetMetricDataOutput {
  MetricDataResults?: { Values?: number[] }[];
}

/** The one call the provider makes: the AWS SDK v3 client satisfies it (see cloudWatchClient). */
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
  timeoutMs?: number;
  /** Clock seam for tests (epoch milliseconds). */
  now?: () => number;
}

export class CloudWatchProvider implements MetricsProvider {
  private readonly options: CloudWatchOptions;

  constructor(options: CloudWatchOptions) {
    this.options = options;
  }

  /** `region` is required; the SDK client of that region is built (see cloudWatchClient). */
  static fromTemplate(provider: MetricTemplateProvider, interval: string): CloudWatchProvider {
    if (provider.region === undefined || provider.region === '') throw new Error('region not specified');
    const ms = intervalMs(interval);
    return new CloudWatchProvider({ client: cloudWatchClient(provider.region), intervalMs: ms });
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
      output = await this.getMetricData(input, signal);
    } catch (err) {
      throw new Error(`error requesting cloudwatch: ${describeSdkFailure(err)}`, { cause: err });
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
      await this.getMetricData(input, signal);
      return true;
    } catch (err) {
      return field(field(err, '$metadata'), 'httpStatusCode') === 400;
    }
  }

  /** The call within the deadline; running out of time throws a TimeoutError. */
  private async getMetricData(input: GetMetricDataInput, signal?: AbortSignal): Promise<GetMetricDataOutput> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs ?? CLOUDWATCH_TIMEOUT_MS);
    const abortSignal = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    try {
      return await this.options.client.getMetricData(input, { abortSignal });
    } catch (err) {
      // The SDK reports any abort as "Request aborted".
      if (deadline.aborted) throw deadline.reason;
      throw err;
    }
  }
}

/**
 * The SDK client of a region, with Flagger's retries, the default credential chain and endpoint settings, and
 * answers read up to MAX_RESPONSE_BYTES.
 */
export function cloudWatchClient(region: string): CloudWatchClient {
  return new CloudWatch({ region, maxAttempts: CLOUDWATCH_MAX_ATTEMPTS, streamCollector: collectBounded });
}

/** The SDK's body reader, stopped (and the connection closed) beyond MAX_RESPONSE_BYTES. */
async function collectBounded(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      stream.destroy();
      throw new ResponseTooLargeError(MAX_RESPONSE_BYTES);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * One line about a failed call: the SDK's message (its first line: a body it could not parse adds a second one
 * about hidden fields; the bytes it quotes of such a body may be control characters) and the HTTP status and
 * attempts when an answer came.
 */
function describeSdkFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timeout exceeded';
  const text = excerpt((err.message.split('\n')[0] ?? '').replace(/\p{Cc}/gu, '\uFFFD'));
  const status = field(field(err, '$metadata'), 'httpStatusCode');
  if (typeof status !== 'number') return text;
  const attempts = field(field(err, '$metadata'), 'attempts');
  const tries = typeof attempts === 'number' && attempts > 1 ? ` after ${attempts} attempts` : '';
  return `${text} (HTTP ${status}${tries})`;
}

/** The first value of the first result, as Flagger reads it; none is NoValuesError (quoting the answer's data). */
export function extractCloudWatchValue(output: GetMetricDataOutput): number {
  const value = output.MetricDataResults?.[0]?.Values?.[0];
  if (value === undefined) {
    // The SDK adds its own $metadata (status, attempts) to the output: not part of the answer.
    const answer = Object.fromEntries(Object.entries(output).filter(([key]) => key !== '$metadata'));
    throw noValues(JSON.stringify(answer));
  }
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
