// Leader election on a real API server: two controller processes, one leads; killing it (SIGKILL, no goodbye)
// hands the lease over after its duration, and a release in progress completes with every step taken once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import type { Canary } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import type { KubeObject, Lease } from '../../src/kube/types.ts';
import { LeaderElector } from '../../src/kube/leader-election.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

interface CoreEvent extends KubeObject {
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
}

const LEASE_REF = {
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  name: 'flagger-leader-election',
};

describe('leader election on a real API server', () => {
  const cluster = useCluster();

  it('hands the lease over at once when the leader releases it, and only then', async () => {
    const namespace = await cluster.namespace('lease');
    const timings = { leaseDurationMs: 30_000, renewDeadlineMs: 2_000, retryPeriodMs: 200 };
    const a = new LeaderElector(cluster.client, { namespace, name: 'lock', identity: 'a', ...timings });
    const b = new LeaderElector(cluster.client, { namespace, name: 'lock', identity: 'b', ...timings });
    await a.acquire(AbortSignal.timeout(5_000));
    const stopA = new AbortController();
    const holding = a.hold(stopA.signal);
    let bLeads = false;
    const bAcquired = b.acquire(AbortSignal.timeout(20_000)).then(() => (bLeads = true));
    await new Promise(resolve => setTimeout(resolve, 1_500));
    assert.equal(bLeads, false, 'b must not take a lease that a renews');
    stopA.abort();
    assert.equal(await holding, 'released');
    await bAcquired;
    const lease = await cluster.client.get<Lease>({ ...LEASE_REF, name: 'lock', namespace });
    assert.equal(lease.spec?.holderIdentity, 'b');
    assert.equal(lease.spec.leaseTransitions, 1);
  });

  it('two controllers: one leads, SIGKILL hands over, the release completes with each step once', async () => {
    await installCrds(cluster.client);
    const ns = await cluster.namespace('leader');
    const bin = new URL('../../bin/flagger.js', import.meta.url).pathname;
    const logs = new Map<ChildProcess, string>();
    const start = () => {
      const child = spawn(process.execPath, [
        bin,
        `-kubeconfig=${cluster.plane.kubeconfigPath}`,
        '-mesh-provider=kubernetes',
        '-metrics-server=http://127.0.0.1:1',
        '-port=0',
        '-log-level=info',
        '-enable-leader-election',
        `-leader-election-namespace=${ns}`,
        '-leader-election-lease-duration=4s',
        '-leader-election-renew-deadline=2s',
        '-leader-election-retry-period=500ms',
        '-min-analysis-interval=1s',
      ]);
      logs.set(child, '');
      child.stderr.on('data', (chunk: Buffer) => logs.set(child, (logs.get(child) ?? '') + chunk.toString()));
      return child;
    };
    const first = start();
    await eventually(() => (logs.get(first) ?? '').includes('Leading as'), 'first did not lead', 30_000);
    const second = start();
    try {
      await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
      await cluster.client.create(
        podinfoCanary(ns, {
          interval: '2s',
          stepWeight: undefined,
          maxWeight: undefined,
          iterations: 6,
          metrics: [],
        }),
      );
      const ref = { apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns };
      const canary = () => cluster.client.get<Canary>(ref);
      await eventually(
        async () => (await canary()).status?.phase === 'Initialized',
        'not initialized',
        60_000,
      );
      await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
      await eventually(async () => ((await canary()).status?.iterations ?? 0) >= 2, 'no progress', 60_000);
      assert.ok(!(logs.get(second) ?? '').includes('Leading as'), 'the second process must wait');

      first.kill('SIGKILL');
      await eventually(() => (logs.get(second) ?? '').includes('Leading as'), 'no handover', 30_000);
      await eventually(
        async () => (await canary()).status?.phase === 'Succeeded',
        'release not finished',
        90_000,
      );

      const events = await cluster.client.list<CoreEvent>('v1', 'Event', { namespace: ns });
      const steps = events.items.filter(
        e =>
          e.involvedObject?.kind === 'Canary' &&
          /^Advance podinfo\.\S+ canary iteration/.test(e.message ?? ''),
      );
      assert.deepEqual(
        steps.map(e => [e.message, e.count ?? 1]).sort(),
        [1, 2, 3, 4, 5, 6].map(i => [`Advance podinfo.${ns} canary iteration ${String(i)}/6`, 1]),
        'every step taken exactly once',
      );
      const lease = await cluster.client.get<Lease>({ ...LEASE_REF, namespace: ns });
      assert.equal(lease.spec?.leaseTransitions, 1);
    } finally {
      first.kill('SIGKILL');
      second.kill('SIGTERM');
      await new Promise(resolve => second.once('exit', resolve));
    }
  });
});
