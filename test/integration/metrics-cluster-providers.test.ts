// The providers that query the cluster itself, with the controller's own API access on a real control plane:
// Keptn's KeptnMetric and Analysis objects, and the external metrics API (not served here, so it must fail
// clearly and report offline).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { fetch } from 'undici';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/kube/types.ts';
import { createMetricsProvider } from '../../src/metrics/providers/registry.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { useCluster } from '../harness/cluster.ts';

const keptnCrds = parseAllDocuments(
  readFileSync(new URL('../fixtures/crds/keptn.yaml', import.meta.url), 'utf8'),
).map(document => document.toJS() as KubeObject);
const KEPTN = 'metrics.keptn.sh/v1beta1';
type Keptn = KubeObject & { spec?: unknown; status?: unknown };

describe('cluster metric providers on a real control plane', () => {
  const cluster = useCluster({ kubelet: false });

  before(async () => {
    await installCrds(cluster.client, keptnCrds);
  });

  const keptn = () =>
    createMetricsProvider({ type: 'keptn' }, undefined, { interval: '1m', cluster: cluster.client });

  it('keptn reads the status.value of a KeptnMetric', async () => {
    const namespace = await cluster.namespace('keptn');
    const metric = await cluster.client.create<Keptn>({
      apiVersion: KEPTN,
      kind: 'KeptnMetric',
      metadata: { name: 'error-rate', namespace },
      spec: { provider: { name: 'prom' }, query: 'up', fetchIntervalSeconds: 10 },
    });
    const provider = await keptn();
    await assert.rejects(
      provider.runQuery(`keptnmetric/${namespace}/error-rate/1m/`),
      new RegExp(`no value found in resource ${namespace}/error-rate`),
    );
    await cluster.client.updateStatus<Keptn>({ ...metric, status: { value: '0.25', rawValue: 'MC4yNQ==' } });
    assert.equal(await provider.runQuery(`keptnmetric/${namespace}/error-rate/1m/`), 0.25);
  });

  it('keptn creates an Analysis, waits for its verdict and deletes it', async () => {
    const namespace = await cluster.namespace('keptn');
    // Keptn's part: complete every Analysis that appears, passing it.
    const judge = setInterval(() => {
      void cluster.client
        .list<KubeObject>(KEPTN, 'Analysis', { namespace })
        .then(found =>
          Promise.all(
            found.items.map(a =>
              cluster.client.updateStatus<Keptn>({ ...a, status: { state: 'Completed', pass: true } }),
            ),
          ),
        );
    }, 200);
    try {
      const verdict = await (await keptn()).runQuery(`analysis/${namespace}/slo/5m/release=v2`);
      assert.equal(verdict, 1);
    } finally {
      clearInterval(judge);
    }
    const left = await cluster.client.list<KubeObject>(KEPTN, 'Analysis', { namespace });
    assert.deepEqual(
      left.items.filter(a => a.metadata?.deletionTimestamp === undefined),
      [],
      'the Analysis is deleted once judged',
    );
  });

  it("externalmetrics uses the controller's connection and reports an API that is not served", async () => {
    const connection = await cluster.client.connection();
    const version = await fetch(`${connection.server}/version`, {
      headers: connection.token === undefined ? {} : { Authorization: `Bearer ${connection.token}` },
      ...(connection.dispatcher !== undefined && { dispatcher: connection.dispatcher }),
    });
    assert.equal(version.status, 200, 'the connection authenticates and trusts the API server');

    const provider = await createMetricsProvider({ type: 'externalmetrics' }, undefined, {
      interval: '1m',
      cluster: cluster.client,
    });
    assert.equal(await provider.isOnline(), false);
    await assert.rejects(provider.runQuery('default/queue-depth'), (err: Error) => {
      assert.match(err.message, /externalmetrics/);
      if (connection.token !== undefined) assert.doesNotMatch(err.message, new RegExp(connection.token));
      return true;
    });
  });
});
