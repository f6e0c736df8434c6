// The Splunk Observability (SignalFx) metrics provider, as Flagger's SplunkProvider runs it: the query is a
// SignalFlow program, executed over the WebSocket API from now - 10 × interval to now with immediate results; the
// health check is GET /v2/metric?limit=1 on the REST API with the token as X-SF-Token.
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import { NoValuesError, type MetricsProvider } from '../types.ts';
import { answersOk, endpoint, HTTP_TIMEOUT_MS } from '../../util/http.ts';
import { redactUrl } from '../../util/redact.ts';
import { credential, intervalMs } from './http-query.ts';
import { MultipleValuesError } from './prometheus.ts';
import { runComputation } from './signalflow.ts';

// Flagger queries from now - 10 × interval to now.
const WINDOW_INTERVALS = 10;
/** The whole computation, connection to end of channel (signalflow-client-go allows 60s between two messages). */
export const SIGNALFLOW_TIMEOUT_MS = 60_000;

export interface SplunkOptions {
  /** The REST API (https://api.<realm>.signalfx.com) or the stream (wss://stream.<realm>.signalfx.com) URL. */
  address: string;
  token: string;
  /** The metric interval in milliseconds. */
  intervalMs: number;
  /** Limit for the health check, and for connecting to SignalFlow and starting the computation. */
  timeoutMs?: number;
  /** Clock seam for tests (epoch milliseconds). */
  now?: () => number;
}

export class SplunkProvider implements MetricsProvider {
  /** The SignalFlow stream endpoint (ws or wss). */
  readonly streamUrl: URL;
  /** The REST API base (http or https). */
  readonly apiUrl: URL;
  private readonly options: SplunkOptions;

  constructor(options: SplunkOptions) {
    const url = URL.canParse(options.address) ? new URL(options.address) : undefined;
    if (url === undefined || !['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
      throw new Error(`splunk address ${redactUrl(options.address)} is not a valid URL`);
    }
    this.streamUrl = endpoint(retarget(url, 'stream'), '/v2/signalflow');
    this.apiUrl = retarget(url, 'api');
    this.options = options;
  }

  /** The address and `sf_token_key` are required, with or without a secretRef. */
  static fromTemplate(
    provider: MetricTemplateProvider,
    credentials: Readonly<Record<string, string>> | undefined,
    interval: string,
  ): SplunkProvider {
    if (provider.address === undefined || provider.address === '')
      throw new Error('splunk endpoint is not set');
    return new SplunkProvider({
      address: provider.address,
      token: credential('splunk', credentials, 'sf_token_key'),
      intervalMs: intervalMs(interval),
    });
  }

  /**
   * The last value of the computation, as in Flagger: payloads without a value are dropped, none left is
   * NoValuesError, and payloads of more than one time series are MultipleValuesError.
   */
  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const now = (this.options.now ?? Date.now)();
    const payloads = await runComputation({
      streamUrl: this.streamUrl.toString(),
      token: this.options.token,
      program: query,
      startMs: now - WINDOW_INTERVALS * Math.trunc(this.options.intervalMs),
      stopMs: now,
      startTimeoutMs: this.options.timeoutMs ?? HTTP_TIMEOUT_MS,
      timeoutMs: SIGNALFLOW_TIMEOUT_MS,
      signal,
    });
    const last = payloads.at(-1);
    if (last === undefined) throw new NoValuesError('invalid response: no values found');
    if (payloads.some(p => p.tsid !== last.tsid)) {
      throw new MultipleValuesError('invalid response: multiple values returned');
    }
    return last.value;
  }

  /** True when GET <api>/v2/metric?limit=1 accepts the token (200). */
  isOnline(signal?: AbortSignal): Promise<boolean> {
    return answersOk({
      provider: 'splunk',
      url: endpoint(this.apiUrl, '/v2/metric', { limit: '1' }),
      headers: { 'X-SF-Token': this.options.token },
      timeoutMs: this.options.timeoutMs,
      signal,
    });
  }
}

/**
 * The address turned into the stream or the REST endpoint. Flagger swaps the first "http"/"ws" and "api"/"stream"
 * anywhere in the string (so https://myapi.example.com would become wss://mystream.example.com); here only the
 * scheme and a leading "api"/"stream" of the host name change, which gives the same URL for Splunk's addresses.
 */
function retarget(address: URL, to: 'stream' | 'api'): URL {
  const url = new URL(address);
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  url.protocol = to === 'stream' ? (secure ? 'wss:' : 'ws:') : secure ? 'https:' : 'http:';
  const [from, into] = to === 'stream' ? ['api', 'stream'] : ['stream', 'api'];
  if (url.hostname.startsWith(from)) url.hostname = `${into}${url.hostname.slice(from.length)}`;
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}
