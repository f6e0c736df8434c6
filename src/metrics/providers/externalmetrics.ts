// The External Metrics provider, as Flagger's ExternalMetricsProvider reads it: a list of one metric from the
// API server's external.metrics.k8s.io/v1beta1 API (served by an adapter such as KEDA's), with the controller's
// own connection; the template's address replaces the server URL, its Secret's `token` the bearer token.
import type { ClusterConnection } from '../../kube/client.ts';
import type { MetricTemplateProvider } from '../../api/metric-template.ts';
import { NoValuesError, type MetricsProvider } from '../types.ts';
import {
  answersOk,
  endpoint,
  field,
  getJson,
  httpAddress,
  insecureAgent,
  type HttpQuery,
} from '../../util/http.ts';

const API_PATH = '/apis/external.metrics.k8s.io/v1beta1/namespaces';
const FORMAT = '<namespace>/<metricName>?labelSelector=<urlencoded label selectors>';

export interface ExternalMetricsOptions extends ClusterConnection {
  insecureSkipVerify?: boolean;
  timeoutMs?: number;
}

/** A parsed query: Flagger's parseExternalMetricsQuery. */
export interface ExternalMetricsQuery {
  namespace: string;
  metricName: string;
  /** Empty for every series. */
  labelSelector: string;
}

export class ExternalMetricsProvider implements MetricsProvider {
  private readonly server: URL;
  private readonly options: ExternalMetricsOptions;

  constructor(options: ExternalMetricsOptions) {
    this.server = httpAddress('externalmetrics', options.server);
    this.options = options;
  }

  /** `cluster` is the controller's connection; without one Flagger fails with "Not in a kubernetes cluster". */
  static fromTemplate(
    provider: MetricTemplateProvider,
    credentials: Readonly<Record<string, string>> | undefined,
    cluster: ClusterConnection | undefined,
  ): ExternalMetricsProvider {
    if (cluster === undefined) throw new Error('externalmetrics: Not in a kubernetes cluster');
    const token = credentials?.token ?? cluster.token;
    return new ExternalMetricsProvider({
      ...cluster,
      ...(provider.address !== undefined && provider.address !== '' && { server: provider.address }),
      ...(token !== undefined && { token }),
      ...(provider.insecureSkipVerify === true && { insecureSkipVerify: true }),
    });
  }

  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const { json } = await getJson(this.request(parseExternalMetricsQuery(query), signal));
    const items = field(json, 'items');
    const first: unknown = Array.isArray(items) ? items[0] : undefined;
    if (first === undefined) throw new NoValuesError('no external metrics found: no values found');
    const value = field(first, 'value');
    if (typeof value !== 'string') throw new Error(`externalmetrics invalid value: ${JSON.stringify(value)}`);
    return parseQuantity(value);
  }

  /** Like Flagger: online when listing `dummy-metric` in kube-system does not fail. */
  isOnline(signal?: AbortSignal): Promise<boolean> {
    return answersOk(
      this.request({ namespace: 'kube-system', metricName: 'dummy-metric', labelSelector: '' }, signal),
    );
  }

  private request(query: ExternalMetricsQuery, signal: AbortSignal | undefined): HttpQuery {
    const path = `${API_PATH}/${encodeURIComponent(query.namespace)}/${encodeURIComponent(query.metricName)}`;
    const params = query.labelSelector === '' ? undefined : { labelSelector: query.labelSelector };
    const { token, insecureSkipVerify, dispatcher } = this.options;
    return {
      provider: 'externalmetrics',
      url: endpoint(this.server, path, params),
      headers: {
        Accept: 'application/json',
        ...(token !== undefined && { Authorization: `Bearer ${token}` }),
      },
      timeoutMs: this.options.timeoutMs,
      signal,
      dispatcher: insecureSkipVerify === true ? insecureAgent() : dispatcher,
    };
  }
}

/**
 * `<namespace>/<metricName>?labelSelector=<urlencoded selector>` as Flagger reads it: only the metric name is
 * required, the namespace defaults to `default`, and the path and selector are URL-decoded. The selector is passed
 * on as written (Flagger re-serializes it after parsing); the API server validates it.
 */
export function parseExternalMetricsQuery(query: string): ExternalMetricsQuery {
  const url = URL.canParse(`dummy:///${query}`) ? new URL(`dummy:///${query}`) : undefined;
  if (url === undefined)
    throw new Error(`externalmetrics malformed query string, expected ${FORMAT}, got ${query}`);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    throw new Error(`externalmetrics malformed query string, expected ${FORMAT}, got ${query}`);
  }
  const parts = path.split('/');
  if (parts.length > 2) {
    throw new Error(
      `externalmetrics malformed query string, too many slashes, expected ${FORMAT}, got ${query}`,
    );
  }
  const [first = '', second] = parts;
  const namespace = second !== undefined && first !== '' ? first : 'default';
  const metricName = second ?? first;
  if (metricName === '') throw new Error('externalmetrics metric name cannot be empty');
  return { namespace, metricName, labelSelector: url.searchParams.get('labelSelector') ?? '' };
}

const SUFFIXES: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes resource.Quantity ("1500m", "2Ki", "1e3") as a float: Go's Quantity.AsApproximateFloat64. */
export function parseQuantity(text: string): number {
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]*))$/.exec(text);
  const scale = match?.[2] !== undefined ? 1 : SUFFIXES[match?.[3] ?? ''];
  if (match?.[1] === undefined || scale === undefined) {
    throw new Error(`externalmetrics quantities must match the regular expression: ${JSON.stringify(text)}`);
  }
  return Number(match[1] + (match[2] ?? '')) * scale;
}
