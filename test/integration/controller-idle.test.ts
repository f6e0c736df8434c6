// Idle canaries are watched, not polled: between releases the controller sends the API server nothing for them,
// yet a new revision, a spec change or a deleted generated object is acted on at once, and a release still keeps
// to its interval.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import type { Service } from '../../src/kube/types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

describe('idle canaries are watched, not polled', () => {
  const cluster = useCluster();
  const requests: string[] = [];
  const flagger = useController(cluster, () => {
    const kube = cluster.plane.client();
    kube.onResponse((method, code) => requests.push(`${method} ${String(code)}`));
    return { kube };
  });
  const phase = async (ns: string) => (await getCanary(cluster, ns)).status?.phase;
  const servicePort = async (ns: string, name: string) =>
    (await cluster.client.tryGet<Service>({ apiVersion: 'v1', kind: 'Service', name, namespace: ns }))?.spec
      ?.ports?.[0]?.port;

  it('sends nothing for an idle canary, and acts on each change at once', async () => {
    const ns = await cluster.namespace('idle');
    await flagger.serveTraffic(ns, 'podinfo', { rps: 10, successRate: 100, latencyMs: 40 });
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    // A 1s interval: Flagger would tick (and read the canary, its target, primary and Services) every second.
    await cluster.client.create(podinfoCanary(ns, { interval: '1s', stepWeight: 50, maxWeight: 50 }));
    await eventually(async () => (await phase(ns)) === 'Initialized', 'not initialized', 60_000);
    await sleep(2_000);

    const before = requests.length;
    await sleep(5_000);
    assert.deepEqual(requests.slice(before), [], 'requests during five idle intervals');

    // A deleted generated Service is back at once, not at the resync ten minutes later.
    await cluster.client.delete({
      apiVersion: 'v1',
      kind: 'Service',
      name: 'podinfo-primary',
      namespace: ns,
    });
    await eventually(
      async () => (await servicePort(ns, 'podinfo-primary')) === 9898,
      'not re-created',
      20_000,
    );

    // A spec change of the idle canary is applied at once.
    await cluster.client.modify<Canary>(
      { apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns },
      c => {
        if (c.spec.service) c.spec.service.port = 9899;
        return true;
      },
    );
    await eventually(async () => (await servicePort(ns, 'podinfo')) === 9899, 'port not applied', 20_000);

    // A new revision starts a release, which takes its steps at the interval, and ends idle again.
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'not promoted', 90_000);
    const events = await canaryEvents(cluster, ns);
    assert.deepEqual(
      events.filter(e => e.startsWith('Advance')),
      [`Advance podinfo.${ns} canary weight 50`],
      events.join('\n'),
    );
    await sleep(2_000);
    const after = requests.length;
    await sleep(5_000);
    assert.deepEqual(requests.slice(after), [], 'requests during five idle intervals after the release');
  });
});
