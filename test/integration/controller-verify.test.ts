// Query verification (extension): once a canary is initialized, each metric query runs once against its backend
// and the MetricsVerified condition says whether they answer, before a release depends on them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { Canary } from '../../src/api/canary.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment } from '../harness/workloads.ts';

describe('metric query verification on a real control plane and Prometheus', () => {
  const cluster = useCluster();
  const flagger = useController(cluster);

  async function verified(ns: string, canary: Canary): Promise<NonNullable<Canary['status']>> {
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(canary);
    await eventually(
      async () =>
        (await getCanary(cluster, ns)).status?.conditions?.some(c => c.type === 'MetricsVerified') === true,
      'queries were not verified',
      60_000,
    );
    // What a user sees.
    const { stdout } = await promisify(execFile)(cluster.plane.binaries.kubectl, [
      ...['--kubeconfig', cluster.plane.kubeconfigPath, '-n', ns, 'get', 'canary/podinfo', '-o', 'yaml'],
    ]);
    const status = (parse(stdout) as Canary).status;
    assert.ok(status);
    return status;
  }

  it('reports queries that answer (for the primary, before the canary has traffic)', async () => {
    const ns = await cluster.namespace('verify');
    await flagger.serveTraffic(ns, 'podinfo-primary', { rps: 10, successRate: 100, latencyMs: 30 });
    // The primary has served traffic for a while, as in a real cluster: Prometheus has a rate for it.
    const prometheus = new PrometheusProvider({ address: flagger.prometheus.url });
    const rate = `sum(rate(istio_requests_total{destination_workload_namespace="${ns}"}[1m])) > 0`;
    await eventually(
      () =>
        prometheus.runQuery(rate).then(
          () => true,
          () => false,
        ),
      'no primary traffic',
    );
    const canary = podinfoCanary(ns);
    const status = await verified(ns, canary);
    const condition = status.conditions?.find(c => c.type === 'MetricsVerified');
    assert.ok(condition);
    assert.equal(condition.status, 'True', condition.message);
    assert.equal(condition.reason, 'QueriesAnswer');
    assert.equal(condition.observedGeneration, (await getCanary(cluster, ns)).metadata.generation);
    assert.ok((await canaryEvents(cluster, ns)).includes(`Metric queries of podinfo.${ns} verified`));
  });

  it('names each query that fails, returns nothing or has no template', async () => {
    const ns = await cluster.namespace('verify');
    const canary = podinfoCanary(ns, {
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
        { name: 'typo', query: 'sum(rate(', thresholdRange: { max: 1 } },
        { name: 'errors', templateRef: { name: 'missing' }, thresholdRange: { max: 1 } },
      ],
    });
    const status = await verified(ns, canary);
    const condition = status.conditions?.find(c => c.type === 'MetricsVerified');
    assert.ok(condition);
    assert.equal(condition.status, 'False');
    assert.equal(condition.reason, 'QueryProblems');
    const problems = condition.message?.split('; ') ?? [];
    assert.equal(problems.length, 3, condition.message);
    assert.match(
      problems[0] ?? '',
      /^request-success-rate: the query returns no values for podinfo nor for podinfo-primary \(do its labels/,
    );
    assert.match(problems[1] ?? '', /^typo: Prometheus query failed for typo: .*bad_data/);
    assert.equal(
      problems[2],
      `errors: Metric template missing.${ns} error: metrictemplate.flagger.app "missing" not found`,
    );
    const events = await canaryEvents(cluster, ns);
    assert.ok(events.some(e => e.startsWith(`Metric queries of podinfo.${ns} need attention: `)));
  });
});
