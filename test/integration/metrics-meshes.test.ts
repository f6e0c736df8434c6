// The built-in request-success-rate and request-duration of every mesh and ingress, run on a real Prometheus
// scraping a fake exporter of each one's metric families: each query must pick the canary's series out of the
// decoys and give the success rate served and the duration in milliseconds (a p99, or a mean where Flagger's
// query averages). The queries go through the render path of checkMetric; Istio, already in the observer
// registry, goes through checkMetric itself, with the Prometheus of spec.metricsServer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Canary } from '../../src/api/canary.ts';
import { checkMetric, type MetricCheckContext } from '../../src/metrics/check.ts';
import { apisixObserver } from '../../src/metrics/observers/apisix.ts';
import { appMeshObserver } from '../../src/metrics/observers/appmesh.ts';
import { contourObserver } from '../../src/metrics/observers/contour.ts';
import { glooObserver } from '../../src/metrics/observers/gloo.ts';
import { httpObserver } from '../../src/metrics/observers/http.ts';
import { knativeObserver } from '../../src/metrics/observers/knative.ts';
import { kumaObserver } from '../../src/metrics/observers/kuma.ts';
import { linkerdObserver } from '../../src/metrics/observers/linkerd.ts';
import { nginxObserver } from '../../src/metrics/observers/nginx.ts';
import { osmObserver } from '../../src/metrics/observers/osm.ts';
import { skipperObserver } from '../../src/metrics/observers/skipper.ts';
import { traefikObserver } from '../../src/metrics/observers/traefik.ts';
import type { BuiltinMetric, MeshObserver } from '../../src/metrics/observers/types.ts';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus.ts';
import { queryModel, renderQuery } from '../../src/metrics/render.ts';
import { NoValuesError, type MetricCheck } from '../../src/metrics/types.ts';
import { freePort, waitFor } from '../../src/playground/process.ts';
import { expectedP99 } from '../harness/istio-exporter.ts';
import { MeshExporter, type MeshName, type Workload } from '../harness/mesh-exporter.ts';
import { PrometheusServer } from '../../src/playground/prometheus.ts';

const MESHES: { mesh: Exclude<MeshName, 'istio'>; observer: MeshObserver; duration: 'p99' | 'mean' }[] = [
  { mesh: 'linkerd', observer: linkerdObserver, duration: 'p99' },
  { mesh: 'appmesh', observer: appMeshObserver, duration: 'p99' },
  { mesh: 'contour', observer: contourObserver, duration: 'p99' },
  { mesh: 'gloo', observer: glooObserver, duration: 'p99' },
  { mesh: 'kuma', observer: kumaObserver, duration: 'p99' },
  { mesh: 'knative', observer: knativeObserver, duration: 'p99' },
  { mesh: 'nginx', observer: nginxObserver, duration: 'mean' },
  // The kubernetes and gatewayapi* providers.
  { mesh: 'http', observer: httpObserver, duration: 'p99' },
  { mesh: 'skipper', observer: skipperObserver, duration: 'mean' },
  { mesh: 'traefik', observer: traefikObserver, duration: 'p99' },
  { mesh: 'osm', observer: osmObserver, duration: 'p99' },
  { mesh: 'apisix', observer: apisixObserver, duration: 'p99' },
];

/** Half milliseconds, so that a mean truncates to a whole millisecond whatever the float rounding. */
const LATENCIES_MS = [40.5, 120.5, 412.5, 700.5, 1200.5, 2500.5];

/**
 * A canary whose names all differ, so a query reading the wrong one finds nothing. The namespace has a "-",
 * which Skipper's route names turn into "_". For Knative, {{ route }} stands for the revision under analysis.
 */
function canary(namespace: string, metricsServer?: string): Canary {
  return {
    metadata: { name: 'cart', namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart-api' },
      ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'cart-ingress' },
      routeRef: { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'cart-api-00002' },
      service: { port: 9898, name: 'cart-svc' },
      analysis: { interval: '1m' },
      ...(metricsServer !== undefined && { metricsServer }),
    },
  };
}

/** The names the exporter labels the series with: the query model's, as the mesh would set them. */
function workload(target: Canary): Workload {
  const { namespace, target: name, service, ingress, route } = queryModel(target, {});
  return { namespace, target: name, service, ingress, route };
}

describe('built-in metrics of every mesh against a real Prometheus', () => {
  let exporter: MeshExporter | undefined;
  let prometheus: PrometheusServer | undefined;
  let provider: PrometheusProvider;

  before(async () => {
    exporter = await MeshExporter.start();
    prometheus = await PrometheusServer.start([exporter.target]);
    provider = new PrometheusProvider({ address: prometheus.url });
    exporter.setTraffic('istio', workload(canary('shop-istio')), {
      rps: 20,
      successRate: 98.5,
      latencyMs: 1200,
    });
    MESHES.forEach(({ mesh }, index) => {
      exporter!.setTraffic(mesh, workload(canary(`shop-${mesh}`)), traffic(index));
    });
  });

  after(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  /** Runs a built-in query the way checkMetric renders it, once Prometheus has the samples it needs. */
  async function measure(observer: MeshObserver, metric: BuiltinMetric, target: Canary): Promise<number> {
    const model = queryModel(target, { interval: '30s' });
    const query = renderQuery(observer.queries[metric], observer.encodeModel?.(model) ?? model);
    let value: number | undefined;
    await waitFor(
      async () => {
        value = await provider.runQuery(query).catch((err: unknown) => {
          if (err instanceof NoValuesError) return undefined;
          throw err;
        });
        return value !== undefined;
      },
      30_000,
      `no ${metric} data for ${target.metadata.namespace ?? ''}: ${query}`,
    );
    assert.ok(value !== undefined);
    return value;
  }

  MESHES.forEach(({ mesh, observer, duration }, index) => {
    it(`${mesh}: the success rate and duration of the canary's traffic`, async () => {
      const target = canary(`shop-${mesh}`);
      const served = traffic(index);
      const successRate = await measure(observer, 'request-success-rate', target);
      assert.ok(Math.abs(successRate - served.successRate) < 1e-6, `success rate ${successRate}`);
      const ms = Math.trunc((await measure(observer, 'request-duration', target)) * observer.durationUnitMs);
      const expected = duration === 'p99' ? expectedP99(served.latencyMs) : served.latencyMs;
      assert.equal(ms, Math.trunc(expected));
    });
  });

  it('istio through checkMetric, on the Prometheus of spec.metricsServer', async () => {
    // The controller's Prometheus is down: only spec.metricsServer can answer.
    const ctx: MetricCheckContext = {
      prometheus: new PrometheusProvider({ address: `http://127.0.0.1:${await freePort()}` }),
      meshProvider: 'istio',
      templates: { get: () => undefined },
      secrets: { get: () => Promise.resolve({}) },
    };
    const target = canary('shop-istio', prometheus!.url);
    const check = async (name: BuiltinMetric, thresholdRange: { min?: number; max?: number }) => {
      let result: MetricCheck | undefined;
      await waitFor(
        async () => {
          result = await checkMetric(target, { name, interval: '30s', thresholdRange }, ctx);
          return result.ok || !result.message.includes('no values found');
        },
        30_000,
        `no ${name} data`,
      );
      assert.ok(result);
      return result;
    };
    const successRate = await check('request-success-rate', { min: 99 });
    assert.equal(
      successRate.ok ? '' : successRate.message,
      'Halt cart.shop-istio advancement success rate 98.50% < 99%',
    );
    const duration = await check('request-duration', { max: 2000 });
    assert.deepEqual(
      [duration.ok, duration.verdict, duration.value, duration.max],
      [true, 'Passed', Math.trunc(expectedP99(1200)), 2000],
    );
  });
});

/** A distinct success rate and latency per mesh, so that each query is seen to read its own mesh's series. */
function traffic(index: number) {
  return {
    rps: 20,
    successRate: 99.5 - index * 0.75,
    latencyMs: LATENCIES_MS[index % LATENCIES_MS.length] ?? 1,
  };
}
