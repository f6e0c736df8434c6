// The InfluxDB metrics provider: a Flux query over InfluxDB 2's HTTP API, sent as Flagger's client
// (influxdb-client-go) sends it: POST <address>/api/v2/query?org=<org> with "Authorization: Token <token>", a JSON
// body asking for annotated CSV, and a 15s timeout. The value is the first record's _value.
import type { Dispatcher } from 'undici';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import { NoValuesError, type MetricsProvider } from '../types.ts';
import { fluxRecords, type FluxRecord } from './flux-csv.ts';
import { endpoint, httpAddress, sendExpecting, type HttpQuery } from '../../util/http.ts';
import { credential } from './http-query.ts';
import { parseGoFloat } from './prometheus.ts';

export const INFLUXDB_TIMEOUT_MS = 15_000;
const ONLINE_QUERY = 'from(bucket: "default") |> range(start: -2h)';
// The dialect of influxdb-client-go's Query: a header row and every annotation.
const DIALECT = { annotations: ['datatype', 'group', 'default'], delimiter: ',', header: true };

export interface InfluxdbOptions {
  address: string;
  /** Sent as "Authorization: Token <token>" when non-empty. */
  token?: string;
  /** The organization the query runs in (the org query parameter). */
  org?: string;
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

export class InfluxdbProvider implements MetricsProvider {
  private readonly url: URL;
  private readonly options: InfluxdbOptions;

  constructor(options: InfluxdbOptions) {
    this.url = endpoint(httpAddress('influxdb', options.address), '/api/v2/query', {
      org: options.org ?? '',
    });
    this.options = options;
  }

  /** With a secretRef the credentials must hold both `token` and `org`. */
  static fromTemplate(
    provider: MetricTemplateProvider,
    credentials: Readonly<Record<string, string>> | undefined,
  ): InfluxdbProvider {
    const auth =
      provider.secretRef === undefined
        ? {}
        : {
            token: credential('influxdb', credentials, 'token', 'an authentication token'),
            org: credential('influxdb', credentials, 'org', 'an organisation'),
          };
    return new InfluxdbProvider({ address: provider.address ?? '', ...auth });
  }

  /**
   * The first record's _value. An answer without records is NoValuesError, where Flagger returns 0 (quirk Q14):
   * a silent 0 passes every "max" threshold while the canary sends no data.
   */
  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const first = fluxRecords(await this.query(query, signal)).next();
    if (first.done === true) throw new NoValuesError();
    return recordValue(first.value);
  }

  /** True when a query on the "default" bucket over the last 2h answers without an error, as in Flagger. */
  async isOnline(signal?: AbortSignal): Promise<boolean> {
    try {
      // Reading every record surfaces an error table anywhere in the answer.
      Array.from(fluxRecords(await this.query(ONLINE_QUERY, signal)));
      return true;
    } catch {
      return false;
    }
  }

  private query(query: string, signal: AbortSignal | undefined): Promise<string> {
    const { token } = this.options;
    const request: HttpQuery = {
      provider: 'influxdb',
      url: this.url,
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token !== undefined && token !== '' && { Authorization: `Token ${token}` }),
      },
      body: JSON.stringify({ dialect: DIALECT, query, type: 'flux' }),
      timeoutMs: this.options.timeoutMs ?? INFLUXDB_TIMEOUT_MS,
      signal,
      dispatcher: this.options.dispatcher,
    };
    return sendExpecting(request, status => status >= 200 && status < 300);
  }
}

/**
 * A record's _value. Flagger accepts only a double; integers (long, unsignedLong, what count() returns) are
 * accepted here too, since InfluxDB's own count() example would otherwise always fail. An empty value is
 * NoValuesError, as in Flagger.
 */
function recordValue(record: FluxRecord): number {
  const text = record.cells._value ?? '';
  if (text === '')
    throw new NoValuesError(`invalid response: ${JSON.stringify(record.cells)}: no values found`);
  const type = record.types._value;
  if (type === 'double') return parseGoFloat(text);
  if ((type === 'long' || type === 'unsignedLong') && /^[+-]?\d+$/.test(text)) return Number(text);
  throw new Error(
    `influxdb invalid response: ${JSON.stringify(record.cells)} (_value is ${type ?? 'missing'})`,
  );
}
