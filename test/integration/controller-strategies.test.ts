import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { HookServer } from '../harness/hook-server.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';
import type { KubeObject } from '../../src/kube/types.ts';

interface HttpRoute {
  name?: string;
  match?: { headers?: Record<string, { exact?: string; regex?: string }> }[];
  route: {
    destination: { host: string };
    weight?: number;
    headers?: { response?: { add?: Record<string, string> } };
  }[];
  mirror?: { host: string };
}
type VirtualService = KubeObject & { spec: { http: HttpRoute[] } };

describe('strategies end to end: A/B, blue/green, mirroring, session affinity', () => {
  const cluster = useCluster();
  const flagger = useController(cluster);
  let hooks: HookServer;
  before(async () => (hooks = await HookServer.start()));
  after(() => hooks.stop());

  const phase = async (ns: string) => (await getCanary(cluster, ns)).status?.phase;
  const virtualService = (ns: string) =>
    cluster.client.get<VirtualService>({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      name: 'podinfo',
      namespace: ns,
    });
  const routeHosts = (route: HttpRoute) => route.route.map(r => [r.destination.host, r.weight ?? 100]);

  async function start(
    ns: string,
    analysis: Parameters<typeof podinfoCanary>[1],
    provider?: 'kubernetes',
  ): Promise<void> {
    await flagger.serveTraffic(ns, 'podinfo', { rps: 10, successRate: 100, latencyMs: 50 });
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    const canary = podinfoCanary(ns, analysis);
    if (provider) canary.spec.provider = provider;
    await cluster.client.create(canary);
    await eventually(async () => (await phase(ns)) === 'Initialized', 'not initialized', 60_000);
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
  }

  it('A/B testing routes matching requests to the canary for every iteration, then promotes', async () => {
    const ns = await cluster.namespace();
    await start(ns, {
      stepWeight: undefined,
      maxWeight: undefined,
      iterations: 3,
      match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
    });
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.iterations ?? 0) >= 1,
      'no iteration',
      60_000,
    );
    const [ab, rest] = (await virtualService(ns)).spec.http;
    assert.deepEqual(ab?.match?.[0]?.headers?.['x-canary'], { exact: 'insider' });
    assert.deepEqual(routeHosts(ab), [
      ['podinfo-primary', 0],
      ['podinfo-canary', 100],
    ]);
    // The default route carries the primary weight, as Flagger writes it.
    assert.deepEqual(
      rest?.route.map(r => [r.destination.host, r.weight]),
      [['podinfo-primary', 0]],
    );
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'A/B release did not succeed', 90_000);
    assert.ok((await canaryEvents(cluster, ns)).includes(`Advance podinfo.${ns} canary iteration 3/3`));
  });

  it('blue/green with the kubernetes provider: iterations, then promotion, no traffic shifting', async () => {
    const ns = await cluster.namespace();
    await start(
      ns,
      { stepWeight: undefined, maxWeight: undefined, iterations: 2, metrics: [] },
      'kubernetes',
    );
    await eventually(
      async () => (await phase(ns)) === 'Succeeded',
      'blue/green release did not succeed',
      90_000,
    );
    const events = await canaryEvents(cluster, ns);
    assert.ok(events.includes(`Advance podinfo.${ns} canary iteration 2/2`), events.join('\n'));
    assert.ok(!events.some(e => e.includes('canary weight')));
  });

  it('mirrors traffic for the first step, then shifts weights', async () => {
    const ns = await cluster.namespace();
    hooks.answer(`/hold-${ns}`, 200);
    await start(ns, { mirror: true, mirrorWeight: 50 });
    await eventually(
      async () => (await virtualService(ns)).spec.http[0]?.mirror?.host === 'podinfo-canary',
      'no mirror',
      60_000,
    );
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 10,
      'no weight after mirror',
      60_000,
    );
    assert.equal((await virtualService(ns)).spec.http[0]?.mirror, undefined);
    await eventually(
      async () => (await phase(ns)) === 'Succeeded',
      'mirrored release did not succeed',
      90_000,
    );
  });

  it('pins clients to the canary with a session affinity cookie while it has traffic', async () => {
    const ns = await cluster.namespace();
    await start(ns, { sessionAffinity: { cookieName: 'flagger-cookie', maxAge: 21600 } });
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 10,
      'no weight',
      60_000,
    ).catch((err: unknown) => {
      const lines = flagger.logs
        .filter(l => l.canary === `podinfo.${ns}`)
        .map(l => `${String(l.level)} ${String(l.msg)}`);
      throw new Error(`${(err as Error).message}\n${lines.join('\n')}`);
    });
    const cookie = (await getCanary(cluster, ns)).status?.sessionAffinityCookie ?? '';
    assert.match(cookie, /^flagger-cookie=[a-zA-Z]{10}$/);
    const { http } = (await virtualService(ns)).spec;
    const sticky = http.find(r =>
      r.match?.some(m => m.headers?.Cookie?.regex?.includes(cookie.split('=')[1] ?? '?')),
    );
    assert.ok(sticky, 'no route for the cookie');
    assert.deepEqual(routeHosts(sticky), [
      ['podinfo-primary', 0],
      ['podinfo-canary', 100],
    ]);
    const weighted = http.at(-1);
    assert.match(
      weighted?.route[1]?.headers?.response?.add?.['Set-Cookie'] ?? '',
      new RegExp(`^${cookie}; Max-Age=21600`),
    );
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'release did not succeed', 90_000);
    assert.equal((await getCanary(cluster, ns)).status?.sessionAffinityCookie ?? '', '');
  });

  it('halts on a failing rollout hook and waits at a closed confirm-traffic-increase gate', async () => {
    const ns = await cluster.namespace();
    hooks.answer(`/load-${ns}`, 500);
    hooks.answer(`/traffic-${ns}`, 403);
    await start(ns, {
      threshold: 100,
      webhooks: [
        { name: 'load-test', type: 'rollout', url: `${hooks.url}/load-${ns}` },
        { name: 'traffic', type: 'confirm-traffic-increase', url: `${hooks.url}/traffic-${ns}` },
      ],
    });
    await eventually(
      async () =>
        (await canaryEvents(cluster, ns)).includes(
          `Halt podinfo.${ns} advancement waiting for traffic increase approval traffic`,
        ),
      'traffic increase was not gated',
      60_000,
    );
    assert.equal((await getCanary(cluster, ns)).status?.canaryWeight ?? 0, 0);
    hooks.answer(`/traffic-${ns}`, 200);
    await eventually(
      async () =>
        (await canaryEvents(cluster, ns)).some(e =>
          e.startsWith(`Halt podinfo.${ns} advancement external check load-test failed`),
        ),
      'failing rollout hook did not halt',
      60_000,
    );
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.failedChecks ?? 0) >= 1,
      'failure not counted',
      30_000,
    );
    hooks.answer(`/load-${ns}`, 200);
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'release did not succeed', 90_000);
  });
});
