// API server faults during a release: conflicts on status writes, server errors and throttling, watches that go
// silent, an API server or etcd restart. Whatever happens, the release ends as an undisturbed one does, every step taken once.
import assert from 'node:assert/strict';
import { before, after, describe, it } from 'node:test';
import { eventually, useCluster } from '../harness/cluster.ts';
import { getCanary, useController } from '../harness/controller.ts';
import { FaultProxy } from '../harness/fault-proxy.ts';
import { setImage } from '../harness/workloads.ts';
import { assertEveryStepOnce, initializedPodinfo } from './steps.ts';

/** Three steps of 20% a second apart, no metrics: the faults are the only thing that can go wrong. */
const analysis = { interval: '1s', stepWeight: 20, maxWeight: 60, threshold: 3, metrics: [] };

describe('a release through API server faults', () => {
  const cluster = useCluster();
  let proxy: FaultProxy;
  before(async () => {
    proxy = await FaultProxy.start(cluster.plane.server);
  });
  after(async () => {
    await proxy.stop();
  });
  // The controller reaches the API server only through the proxy; its watches time out after 5s of silence.
  const flagger = useController(cluster, () => ({
    kube: cluster.plane.client({ server: proxy.url, watchTimeoutSeconds: 5 }),
  }));

  async function release(namespace: string, during: () => void | Promise<void>): Promise<void> {
    await initializedPodinfo(cluster, namespace, analysis);
    await during();
    try {
      await setImage(cluster.client, namespace, 'Deployment', 'podinfo:6.0.1');
      await eventually(
        async () => (await getCanary(cluster, namespace)).status?.phase === 'Succeeded',
        'the release did not succeed',
        // A tick makes some thirty requests: with these shares most ticks fail somewhere and are taken again.
        180_000,
      );
    } catch (err) {
      const status = (await getCanary(cluster, namespace)).status;
      const logs = flagger.logs.slice(-30).map(l => JSON.stringify(l));
      throw new Error(`${String(err)}\nstatus: ${JSON.stringify(status)}\n${logs.join('\n')}`, {
        cause: err,
      });
    } finally {
      proxy.clear();
    }
    await assertEveryStepOnce(cluster, namespace, [20, 40, 60], 'podinfo:6.0.1');
  }

  it('rides out conflicts on every other status write', async () => {
    const ns = await cluster.namespace('conflicts');
    await release(ns, () =>
      proxy.inject({ path: /\/canaries\/podinfo\/status/, method: 'PUT', status: 409, every: 2 }),
    );
    assert.ok((proxy.injected.get(409) ?? 0) > 0);
  });

  it('rides out server errors and throttling on a share of all requests', async () => {
    const ns = await cluster.namespace('errors');
    await release(ns, () => {
      proxy.inject({ watch: false, status: 500, share: 0.03 });
      proxy.inject({ watch: false, method: 'GET', status: 429, share: 0.2 });
      proxy.inject({ watch: false, method: 'PATCH', status: 503, share: 0.2 });
    });
    assert.ok((proxy.injected.get(500) ?? 0) > 0 && (proxy.injected.get(429) ?? 0) > 0);
  });

  it('notices a change behind watches that went silent', async () => {
    const ns = await cluster.namespace('silent');
    await release(ns, () => {
      assert.ok(proxy.silenceWatches() > 0);
    });
  });

  for (const outage of ['the API server', 'etcd'] as const)
    it(`carries on after ${outage} restarts mid-release`, async () => {
      const ns = await cluster.namespace('restart');
      await initializedPodinfo(cluster, ns, { ...analysis, interval: '2s' });
      await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
      await eventually(
        async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 20,
        'the release did not start',
        60_000,
      );
      if (outage === 'etcd') {
        // The API server stays up and answers errors until its storage is back.
        await cluster.plane.restartEtcd();
      } else {
        await cluster.plane.stopApiServer();
        await cluster.plane.startApiServer();
      }
      await eventually(
        async () => (await getCanary(cluster, ns)).status?.phase === 'Succeeded',
        'the release did not succeed after the restart',
        120_000,
      );
      await assertEveryStepOnce(cluster, ns, [20, 40, 60], 'podinfo:6.0.1');
    });
});
