// The controller's /metrics during real releases, scraped by a real Prometheus: Flagger's canary series with
// their labels and values, and the controller's own health series.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startHttpServer } from '../../src/cli/http-server.ts';
import { PrometheusTelemetry } from '../../src/controller/telemetry.ts';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus.ts';
import { NoValuesError } from '../../src/metrics/types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { getCanary, useController } from '../harness/controller.ts';
import { PrometheusServer } from '../../src/playground/prometheus.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

describe('controller metrics during releases, scraped by Prometheus', () => {
  const cluster = useCluster();
  const telemetry = new PrometheusTelemetry('istio');
  const scraper = {} as { server: Server; prometheus: PrometheusServer; query: PrometheusProvider };
  before(async () => {
    scraper.server = await startHttpServer({ port: 0, registry: telemetry.registry, ready: () => true });
    const address = scraper.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    scraper.prometheus = await PrometheusServer.start([`127.0.0.1:${String(port)}`]);
    scraper.query = new PrometheusProvider({ address: scraper.prometheus.url });
  });
  after(async () => {
    await scraper.prometheus.stop();
    await new Promise(resolve => scraper.server.close(resolve));
  });
  const flagger = useController(cluster, () => {
    const kube = cluster.plane.client();
    kube.onResponse((method, code) => telemetry.countApiRequest(method, code));
    return { kube, telemetry };
  });

  /** The value of a PromQL query once Prometheus has scraped it; undefined while it has no sample. */
  const value = async (query: string): Promise<number | undefined> => {
    try {
      return await scraper.query.runQuery(query);
    } catch (err) {
      if (err instanceof NoValuesError) return undefined;
      throw err;
    }
  };
  const settles = (query: string, expected: number) =>
    eventually(async () => (await value(query)) === expected, `${query} != ${String(expected)}`, 30_000);

  async function release(ns: string, successRate: number): Promise<void> {
    await flagger.serveTraffic(ns, 'podinfo', { rps: 10, successRate, latencyMs: 40 });
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(podinfoCanary(ns, { stepWeight: 50, maxWeight: 50, threshold: 1 }));
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Initialized',
      'not initialized',
      60_000,
    );
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
  }

  it('records a promoted release', async () => {
    const ns = await cluster.namespace('metrics');
    await release(ns, 100);
    const labels = `name="podinfo",namespace="${ns}"`;
    await settles(`flagger_canary_status{${labels}} == 0`, 0);
    await settles(`flagger_canary_weight{workload="podinfo",namespace="${ns}"}`, 50);
    await settles(`flagger_canary_weight{workload="podinfo-primary",namespace="${ns}"}`, 50);
    await settles(`flagger_canary_metric_analysis{${labels},metric="request-success-rate"}`, 100);
    // request-duration in seconds, as Flagger records it: the exporter's p99 of 40 ms requests.
    const duration = await value(`flagger_canary_metric_analysis{${labels},metric="request-duration"}`);
    assert.ok(duration !== undefined && duration > 0.01 && duration < 0.1, String(duration));

    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Succeeded',
      'not promoted',
      90_000,
    );
    const outcome = `${labels},deployment_strategy="canary",analysis_status="completed"`;
    await settles(`flagger_canary_successes_total{${outcome}}`, 1);
    await settles(`flagger_canary_status{${labels}}`, 1);
    await settles(`flagger_canary_weight{workload="podinfo-primary",namespace="${ns}"}`, 100);
    await settles(`flagger_canary_total{namespace="${ns}"}`, 1);
    assert.ok(((await value(`flagger_canary_duration_seconds_count{${labels}}`)) ?? 0) >= 2);
    assert.equal(await value(`flagger_canary_failures_total{${labels}}`), undefined);
  });

  it('records a rolled back release', async () => {
    const ns = await cluster.namespace('metrics');
    await release(ns, 50);
    const labels = `name="podinfo",namespace="${ns}"`;
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Failed',
      'not rolled back',
      90_000,
    );
    await settles(`flagger_canary_status{${labels}}`, 2);
    await settles(`flagger_canary_metric_analysis{${labels},metric="request-success-rate"}`, 50);
    const outcome = `${labels},deployment_strategy="canary",analysis_status="completed"`;
    await settles(`flagger_canary_failures_total{${outcome}}`, 1);
  });

  it('serves flagger_info and the health of the controller itself', async () => {
    await settles('flagger_info{mesh_provider="istio"}', 1);
    assert.ok(((await value('flagger_controller_watches_total{kind="Canary"}')) ?? 0) > 0);
    assert.ok(((await value('flagger_controller_relists_total{kind="MetricTemplate"}')) ?? 0) > 0);
    assert.ok(((await value('sum(flagger_controller_api_requests_total{verb="GET",code="200"})')) ?? 0) > 10);
    assert.ok(((await value('sum(flagger_controller_api_requests_total{code="404"})')) ?? 0) >= 1);
    assert.equal(await value('flagger_controller_queue_depth'), 0);
    assert.ok(((await value('process_resident_memory_bytes')) ?? 0) > 0);
  });
});
