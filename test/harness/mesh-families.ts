// What each mesh or ingress exports about one workload's traffic, for mesh-exporter.ts: metric names, the labels
// naming the canary (as the proxies or Prometheus' pod discovery set them) and a decoy's labels, the labels of a
// successful and of a failed response, and the unit of the latency histograms.

/** The names a mesh derives its series' labels from: the query model's values for the canary. */
export interface Workload {
  namespace: string;
  target: string;
  service: string;
  ingress: string;
  route: string;
}

export type Labels = Readonly<Record<string, string>>;

export interface MeshFamily {
  /** A counter of requests; without one, queries count the histogram's samples. */
  requests?: string;
  /** Latency histograms (names without _bucket), each with its unit. */
  histograms: readonly { name: string; unit: 'ms' | 's' }[];
  labels(workload: Workload): Labels;
  /** A look-alike the built-in query must leave out: the primary, the other direction, the client's report... */
  decoy(workload: Workload): Labels;
  success: Labels;
  failure: Labels;
}

const PORT = 9898;

/** A family without its workload labels. */
type Metrics = Omit<MeshFamily, 'labels' | 'decoy'>;

/** Envoy's upstream statistics: a request counter by response code and a latency histogram in milliseconds. */
const ENVOY: Metrics = {
  requests: 'envoy_cluster_upstream_rq',
  histograms: [{ name: 'envoy_cluster_upstream_rq_time', unit: 'ms' }],
  success: { envoy_response_code: '200' },
  failure: { envoy_response_code: '503' },
};

/** Pods of a Deployment, as Prometheus' pod discovery labels them; primary pods are the decoy. */
function pods(family: Metrics): MeshFamily {
  const pod = (namespace: string, name: string) => ({
    kubernetes_namespace: namespace,
    kubernetes_pod_name: `${name}-7d9f8b6c5-x2k4p`,
  });
  return {
    ...family,
    labels: w => pod(w.namespace, w.target),
    decoy: w => pod(w.namespace, `${w.target}-primary`),
  };
}

/** Skipper's route names: every non-word character becomes "_". */
function skipperRoute(namespace: string, ingress: string, service: string): string {
  const name = (value: string) => value.replace(/\W/g, '_');
  return `kube_${name(namespace)}__${name(ingress)}__app_example_org____${name(service)}`;
}

const STATUS = { success: { status: '200' }, failure: { status: '503' } };
const CODE = { success: { code: '200' }, failure: { code: '503' } };
const RESPONSE_CODE = { success: { response_code: '200' }, failure: { response_code: '503' } };

export const MESH_FAMILIES = {
  istio: {
    requests: 'istio_requests_total',
    histograms: [{ name: 'istio_request_duration_milliseconds', unit: 'ms' }],
    labels: w => ({
      reporter: 'destination',
      destination_workload_namespace: w.namespace,
      destination_workload: w.target,
    }),
    decoy: w => ({
      reporter: 'source',
      destination_workload_namespace: w.namespace,
      destination_workload: w.target,
    }),
    ...RESPONSE_CODE,
  },
  linkerd: {
    requests: 'response_total',
    histograms: [{ name: 'response_latency_ms', unit: 'ms' }],
    labels: w => ({ namespace: w.namespace, deployment: w.target, direction: 'inbound' }),
    decoy: w => ({ namespace: w.namespace, deployment: w.target, direction: 'outbound' }),
    success: { classification: 'success', status_code: '200' },
    failure: { classification: 'failure', status_code: '503' },
  },
  appmesh: pods(ENVOY),
  contour: {
    ...ENVOY,
    labels: w => ({ envoy_cluster_name: `${w.namespace}_${w.service}-canary_${PORT}` }),
    decoy: w => ({ envoy_cluster_name: `${w.namespace}_${w.service}-primary_${PORT}` }),
  },
  gloo: {
    ...ENVOY,
    labels: w => ({ envoy_cluster_name: `${w.namespace}-${w.target}-canaryupstream-${PORT}_${w.namespace}` }),
    decoy: w => ({ envoy_cluster_name: `${w.namespace}-${w.target}-primaryupstream-${PORT}_${w.namespace}` }),
  },
  kuma: {
    ...ENVOY,
    labels: w => ({ service: `${w.target}-canary_${w.namespace}_svc_${PORT}` }),
    decoy: w => ({ service: `${w.target}-primary_${w.namespace}_svc_${PORT}` }),
  },
  knative: {
    ...ENVOY,
    labels: w => ({ envoy_cluster_name: `${w.namespace}/${w.route}` }),
    decoy: w => ({ envoy_cluster_name: `${w.namespace}/${w.target}-00001` }),
  },
  nginx: {
    requests: 'nginx_ingress_controller_requests',
    histograms: [{ name: 'nginx_ingress_controller_response_duration_seconds', unit: 's' }],
    // The canary label names the canary backend that served the request; it is empty for the primary's.
    labels: w => ({
      namespace: w.namespace,
      ingress: w.ingress,
      canary: `${w.namespace}-${w.service}-canary-80`,
    }),
    decoy: w => ({ namespace: w.namespace, ingress: w.ingress, canary: '' }),
    ...STATUS,
  },
  http: pods({ histograms: [{ name: 'http_request_duration_seconds', unit: 's' }], ...STATUS }),
  skipper: {
    histograms: [
      { name: 'skipper_response_duration_seconds', unit: 's' },
      { name: 'skipper_serve_route_duration_seconds', unit: 's' },
    ],
    labels: w => ({ route: skipperRoute(w.namespace, `${w.ingress}-canary`, `${w.service}-canary`) }),
    decoy: w => ({ route: skipperRoute(w.namespace, w.ingress, w.service) }),
    ...CODE,
  },
  traefik: {
    histograms: [{ name: 'traefik_service_request_duration_seconds', unit: 's' }],
    labels: w => ({ service: `${w.namespace}-${w.target}-canary-80@kubernetescrd` }),
    decoy: w => ({ service: `${w.namespace}-${w.target}-primary-80@kubernetescrd` }),
    ...CODE,
  },
  osm: {
    requests: 'osm_request_total',
    histograms: [{ name: 'osm_request_duration_ms', unit: 'ms' }],
    labels: w => ({
      destination_namespace: w.namespace,
      destination_kind: 'Deployment',
      destination_name: w.target,
    }),
    decoy: w => ({
      destination_namespace: w.namespace,
      destination_kind: 'Deployment',
      destination_name: `${w.target}-primary`,
    }),
    ...RESPONSE_CODE,
  },
  apisix: {
    requests: 'apisix_http_status',
    histograms: [{ name: 'apisix_http_latency', unit: 'ms' }],
    labels: w => ({ type: 'request', route: `${w.namespace}_${w.route}-${w.target}-canary_rule-1` }),
    decoy: w => ({ type: 'request', route: `${w.namespace}_${w.route}_rule-1` }),
    ...CODE,
  },
} satisfies Record<string, MeshFamily>;
