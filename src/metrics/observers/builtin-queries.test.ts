// The built-in queries of every mesh rendered for one sample canary, compared with the query Flagger sends (the
// strings of Flagger's observer tests, with this canary's names): whitespace collapsed, as Prometheus gets them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../../api/canary.ts';
import { queryModel, renderQuery } from '../render.ts';
import { apisixObserver } from './apisix.ts';
import { appMeshObserver } from './appmesh.ts';
import { contourObserver } from './contour.ts';
import { glooObserver } from './gloo.ts';
import { httpObserver } from './http.ts';
import { knativeObserver } from './knative.ts';
import { kumaObserver } from './kuma.ts';
import { linkerdObserver } from './linkerd.ts';
import { nginxObserver } from './nginx.ts';
import { osmObserver } from './osm.ts';
import { skipperObserver } from './skipper.ts';
import { traefikObserver } from './traefik.ts';
import type { BuiltinMetric, MeshObserver } from './types.ts';

// Every name differs, so a query reading the wrong variable shows.
const CANARY: Canary = {
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'public' },
    routeRef: { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'web' },
    service: { port: 9898, name: 'frontend' },
    analysis: { interval: '1m' },
  },
};

function rendered(observer: MeshObserver) {
  const model = queryModel(CANARY, { interval: '1m' });
  const render = (metric: BuiltinMetric) =>
    renderQuery(observer.queries[metric], observer.encodeModel?.(model) ?? model).replace(
      /[ \t\n\f\r]+/g,
      ' ',
    );
  return { successRate: render('request-success-rate'), duration: render('request-duration') };
}

const ENVOY_P99 = (selector: string) =>
  ` histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ ${selector} }[1m] ) ) by (le) )`;
const ENVOY_SUCCESS = (selector: string, total: string) =>
  ` sum( rate( envoy_cluster_upstream_rq{ ${selector}, envoy_response_code!~"5.*" }[1m] ) ) / ` +
  `sum( rate( envoy_cluster_upstream_rq{ ${total} }[1m] ) ) * 100`;
const PODS = 'kubernetes_namespace="test", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';
const LINKERD = 'namespace="test", deployment=~"podinfo"';
const NGINX = 'namespace="test", ingress="public", canary!=""';
const TRAEFIK = 'service=~"test-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd"';
const OSM = 'destination_namespace="test", destination_kind="Deployment", destination_name="podinfo"';
const APISIX = 'route=~"test_web-podinfo-canary_.+"';
const SKIPPER = 'route=~"kube(ew)?_test__public_canary__.*__frontend_canary(_[0-9]+)?"';

const CASES: { mesh: string; observer: MeshObserver; successRate: string; duration: string }[] = [
  {
    mesh: 'linkerd',
    observer: linkerdObserver,
    successRate:
      ` sum( rate( response_total{ ${LINKERD}, classification!="failure", direction="inbound" }[1m] ) ) / ` +
      `sum( rate( response_total{ ${LINKERD}, direction="inbound" }[1m] ) ) * 100`,
    duration: ` histogram_quantile( 0.99, sum( rate( response_latency_ms_bucket{ ${LINKERD}, direction="inbound" }[1m] ) ) by (le) )`,
  },
  {
    mesh: 'appmesh',
    observer: appMeshObserver,
    successRate: ENVOY_SUCCESS(PODS, PODS),
    duration: ENVOY_P99(PODS),
  },
  {
    mesh: 'contour',
    observer: contourObserver,
    successRate: ENVOY_SUCCESS(
      'envoy_cluster_name=~"test_frontend-canary_[0-9a-zA-Z-]+"',
      'envoy_cluster_name=~"test_frontend-canary_[0-9a-zA-Z-]+",',
    ),
    duration: ENVOY_P99('envoy_cluster_name=~"test_frontend-canary_[0-9a-zA-Z-]+",'),
  },
  {
    mesh: 'gloo',
    observer: glooObserver,
    successRate: ENVOY_SUCCESS(
      'envoy_cluster_name=~"test-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+"',
      'envoy_cluster_name=~"test-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+",',
    ),
    duration: ENVOY_P99('envoy_cluster_name=~"test-podinfo-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+",'),
  },
  {
    mesh: 'kuma',
    observer: kumaObserver,
    successRate: ENVOY_SUCCESS(
      'service=~"podinfo-canary_test_svc_[0-9a-zA-Z-]+"',
      'service=~"podinfo-canary_test_svc_[0-9a-zA-Z-]+",',
    ),
    duration: ENVOY_P99('service=~"podinfo-canary_test_svc_[0-9a-zA-Z-]+",'),
  },
  {
    mesh: 'knative',
    observer: knativeObserver,
    successRate: ENVOY_SUCCESS('envoy_cluster_name=~"test/web"', 'envoy_cluster_name=~"test/web",'),
    duration: ENVOY_P99('envoy_cluster_name=~"test/web",'),
  },
  {
    mesh: 'nginx',
    observer: nginxObserver,
    successRate:
      ` sum( rate( nginx_ingress_controller_requests{ ${NGINX}, status!~"5.*" }[1m] ) ) / ` +
      `sum( rate( nginx_ingress_controller_requests{ ${NGINX} }[1m] ) ) * 100`,
    duration:
      ` sum( rate( nginx_ingress_controller_response_duration_seconds_sum{ ${NGINX} }[1m] ) ) / ` +
      `sum( rate( nginx_ingress_controller_response_duration_seconds_count{ ${NGINX} }[1m] ) ) * 1000`,
  },
  {
    mesh: 'kubernetes and gatewayapi',
    observer: httpObserver,
    successRate:
      ` sum( rate( http_request_duration_seconds_count{ ${PODS}, status!~"5.*" }[1m] ) ) / ` +
      `sum( rate( http_request_duration_seconds_count{ ${PODS} }[1m] ) ) * 100`,
    duration: ` histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ ${PODS} }[1m] ) ) by (le) )`,
  },
  {
    mesh: 'traefik',
    observer: traefikObserver,
    successRate:
      ` sum( rate( traefik_service_request_duration_seconds_bucket{ ${TRAEFIK}, code!~"5..", le="+Inf" }[1m] ) ) / ` +
      `sum( rate( traefik_service_request_duration_seconds_bucket{ ${TRAEFIK}, le="+Inf" }[1m] ) ) * 100`,
    duration:
      ` histogram_quantile( 0.99, sum( rate( traefik_service_request_duration_seconds_bucket{ ${TRAEFIK} }[1m] ) ) ` +
      `by (le) ) * 1000`,
  },
  {
    mesh: 'osm',
    observer: osmObserver,
    successRate:
      ` sum( rate( osm_request_total{ ${OSM}, response_code!~"5.*" }[1m] ) ) / ` +
      `sum( rate( osm_request_total{ ${OSM} }[1m] ) ) * 100`,
    duration: ` histogram_quantile( 0.99, sum( rate( osm_request_duration_ms_bucket{ ${OSM} }[1m] ) ) by (le) )`,
  },
  {
    mesh: 'apisix',
    observer: apisixObserver,
    successRate:
      ` sum( rate( apisix_http_status{ ${APISIX}, code!~"5.." }[1m] ) ) / ` +
      `sum( rate( apisix_http_status{ ${APISIX} }[1m] ) ) * 100`,
    duration: ` histogram_quantile( 0.99, sum( rate( apisix_http_latency_bucket{ type=~"request", ${APISIX} }[1m] ) ) by (le) )`,
  },
  {
    mesh: 'skipper',
    observer: skipperObserver,
    successRate:
      ` sum(rate(skipper_response_duration_seconds_bucket{${SKIPPER},code!~"5..",le="+Inf"}[1m])) / ` +
      `sum(rate(skipper_response_duration_seconds_bucket{${SKIPPER},le="+Inf"}[1m])) * 100`,
    duration:
      ` sum(rate(skipper_serve_route_duration_seconds_sum{${SKIPPER}}[1m])) / ` +
      `sum(rate(skipper_serve_route_duration_seconds_count{${SKIPPER}}[1m])) * 1000`,
  },
];

describe('built-in queries', () => {
  for (const { mesh, observer, successRate, duration } of CASES) {
    it(`renders Flagger's ${mesh} queries`, () => {
      assert.deepEqual(rendered(observer), { successRate, duration });
    });
  }

  it('reads milliseconds, except from the HTTP observer whose histogram is in seconds', () => {
    const units = CASES.map(({ mesh, observer }) => [mesh, observer.durationUnitMs]);
    const expected = CASES.map(({ mesh }) => [mesh, mesh === 'kubernetes and gatewayapi' ? 1000 : 1]);
    assert.deepEqual(units, expected);
  });
});

describe('skipper query model', () => {
  it('turns every non-word character of the names into "_", like Skipper route names', () => {
    const model = queryModel(
      {
        ...CANARY,
        metadata: { name: 'my.app', namespace: 'team-a' },
        spec: { ...CANARY.spec, ingressRef: { ...CANARY.spec.ingressRef!, name: 'web.example-com' } },
      },
      { interval: '30s', templateVariables: { key: 'a-b' } },
    );
    assert.deepEqual(skipperObserver.encodeModel?.(model), {
      ...model,
      name: 'my_app',
      namespace: 'team_a',
      ingress: 'web_example_com',
    });
  });
});
