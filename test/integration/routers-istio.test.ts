import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { FLUX_DISABLED_ANNOTATIONS as FLUX, canaryOwnerReference } from '../../src/api/generated-objects.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { istioCrds } from '../../src/playground/istio-crds.ts';
import { IstioRouter } from '../../src/routers/istio.ts';
import type { DestinationRule, VirtualService } from '../../src/routers/istio-types.ts';
import type { RouterStatus } from '../../src/routers/types.ts';
import { useCluster } from '../harness/cluster.ts';
import { split } from '../harness/router-fixtures.ts';

const ORIGINAL = 'flagger.kubernetes.io/original-configuration';

describe('Istio router on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let router: IstioRouter;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...istioCrds()]);
    router = new IstioRouter({ kube: cluster.client, logger: silentLogger(), setOwnerRefs: true });
  });

  async function newCanary(
    service: Partial<CanaryService> = {},
    analysis: Partial<CanaryAnalysis> = {},
  ): Promise<Canary> {
    const namespace = await cluster.namespace('istio');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        provider: 'istio',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898, ...service },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
      },
    });
  }

  const ref = (canary: Canary, kind: string, name: string) => ({
    apiVersion: 'networking.istio.io/v1beta1',
    kind,
    name,
    namespace: canary.metadata.namespace,
  });
  const virtualService = (canary: Canary) =>
    cluster.client.get<VirtualService>(ref(canary, 'VirtualService', 'podinfo'));

  it('creates the DestinationRules and the VirtualService', async () => {
    const trafficPolicy = { tls: { mode: 'ISTIO_MUTUAL' as const } };
    const canary = await newCanary({
      trafficPolicy,
      gateways: ['public/gateway'],
      hosts: ['app.example.com'],
      apex: { labels: { tier: 'web' }, annotations: { note: 'apex' } },
    });
    await router.reconcile(canary);
    for (const name of ['podinfo-primary', 'podinfo-canary']) {
      const dr = await cluster.client.get<DestinationRule>(ref(canary, 'DestinationRule', name));
      assert.deepEqual(dr.spec, { host: name, trafficPolicy });
      assert.deepEqual(dr.metadata?.ownerReferences, [canaryOwnerReference(canary)]);
    }
    const vs = await virtualService(canary);
    assert.deepEqual(vs.spec, {
      hosts: ['app.example.com', 'podinfo'],
      gateways: ['public/gateway'],
      http: [
        {
          route: [
            { destination: { host: 'podinfo-primary' }, weight: 100 },
            { destination: { host: 'podinfo-canary' }, weight: 0 },
          ],
        },
      ],
    });
    assert.deepEqual(vs.metadata?.labels, { tier: 'web' });
    assert.deepEqual(vs.metadata.annotations, { note: 'apex', ...FLUX });
    assert.deepEqual(vs.metadata.ownerReferences, [canaryOwnerReference(canary)]);
    assert.deepEqual(await router.getRoutes(canary), split(100, 0));
  });

  it('sets and reads back the split and the mirror, and reconcile keeps them', async () => {
    const canary = await newCanary({}, { mirrorWeight: 25 });
    await router.reconcile(canary);
    assert.deepEqual(await router.setRoutes(canary, split(100, 0, true)), {});
    assert.deepEqual(await router.getRoutes(canary), split(100, 0, true));
    assert.deepEqual((await virtualService(canary)).spec?.http?.[0]?.mirrorPercentage, { value: 25 });

    await router.setRoutes(canary, split(60, 40));
    assert.deepEqual(await router.getRoutes(canary), split(60, 40));
    const before = await virtualService(canary);
    await router.reconcile(canary);
    assert.equal((await virtualService(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

    const changed = { ...canary, spec: { ...canary.spec, service: { port: 9898, timeout: '5s' } } };
    await router.reconcile(changed);
    const updated = await virtualService(canary);
    assert.equal(updated.spec?.http?.[0]?.timeout, '5s');
    assert.deepEqual(await router.getRoutes(canary), split(60, 40));
  });

  it('updates the DestinationRules when the traffic policy changes', async () => {
    const canary = await newCanary();
    await router.reconcile(canary);
    const trafficPolicy = { loadBalancer: { simple: 'LEAST_CONN' as const } };
    await router.reconcile({ ...canary, spec: { ...canary.spec, service: { port: 9898, trafficPolicy } } });
    const dr = await cluster.client.get<DestinationRule>(ref(canary, 'DestinationRule', 'podinfo-canary'));
    assert.deepEqual(dr.spec, { host: 'podinfo-canary', trafficPolicy });
  });

  it('routes A/B tests: matching requests to the canary, the rest to the primary at its weight', async () => {
    const canary = await newCanary(
      { match: [{ uri: { prefix: '/api' } }] },
      { iterations: 5, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] },
    );
    await router.reconcile(canary);
    assert.equal((await virtualService(canary)).spec?.http?.length, 2);
    await router.setRoutes(canary, split(0, 100));
    assert.deepEqual(await router.getRoutes(canary), split(0, 100));
    const http = (await virtualService(canary)).spec?.http;
    assert.deepEqual(http?.[0]?.match, [
      { uri: { prefix: '/api' }, headers: { 'x-canary': { exact: 'insider' } } },
    ]);
    // As Flagger: the default route's only destination has the primary weight, which Istio ignores.
    assert.deepEqual(http[1], {
      match: [{ uri: { prefix: '/api' } }],
      route: [{ destination: { host: 'podinfo-primary' }, weight: 0 }],
    });
    await router.setRoutes(canary, split(100, 0));
    const promoted = (await virtualService(canary)).spec?.http?.[1]?.route;
    assert.deepEqual(promoted, [{ destination: { host: 'podinfo-primary' }, weight: 100 }]);
  });

  it('keeps clients on their version with session affinity cookies', async () => {
    const canary = await newCanary({}, { sessionAffinity: { cookieName: 'flagger-cookie', maxAge: 600 } });
    await router.reconcile(canary);
    const status: RouterStatus = await router.setRoutes(canary, split(90, 10));
    assert.match(status.sessionAffinityCookie ?? '', /^flagger-cookie=[a-zA-Z]{10}$/);
    const http = (await virtualService(canary)).spec?.http;
    const [cookieName, cookieValue] = (status.sessionAffinityCookie ?? '').split('=');
    const regex = `.*${cookieName ?? ''}.*${cookieValue ?? ''}.*`;
    assert.deepEqual(http?.[0]?.match, [{ headers: { Cookie: { regex } } }]);
    assert.equal(http[0].name, undefined);
    assert.deepEqual(http[1]?.route?.[1]?.headers, {
      response: { add: { 'Set-Cookie': `${status.sessionAffinityCookie ?? ''}; Max-Age=600` } },
    });
    assert.deepEqual(await router.getRoutes(canary), split(90, 10));

    const running = { ...canary, status: { ...canary.status, ...status } };
    const before = await virtualService(canary);
    await router.reconcile(running);
    assert.equal((await virtualService(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.deepEqual(await router.setRoutes(running, split(50, 50)), status);

    const done = await router.setRoutes(running, split(100, 0));
    assert.deepEqual(done, {
      sessionAffinityCookie: '',
      primarySessionAffinityCookie: '',
      previousSessionAffinityCookie: status.sessionAffinityCookie,
    });
    const expiring = (await virtualService(canary)).spec?.http?.[0];
    assert.deepEqual(expiring?.headers, {
      response: { add: { 'Set-Cookie': `${status.sessionAffinityCookie ?? ''}; Max-Age=-1` } },
    });
    const ended = { ...running, status: { ...running.status, ...done } };
    const settled = await virtualService(canary);
    await router.reconcile(ended);
    assert.equal((await virtualService(canary)).metadata?.resourceVersion, settled.metadata?.resourceVersion);

    // The first run at weight 0, with no cookie yet: Flagger puts a copy of the weighted route in front.
    const fresh = await newCanary({}, { sessionAffinity: { cookieName: 'flagger-cookie' } });
    await router.reconcile(fresh);
    await router.setRoutes(fresh, split(100, 0));
    const routes = (await virtualService(fresh)).spec?.http;
    assert.equal(routes?.length, 2);
    assert.deepEqual(routes[0], routes[1]);
    const copied = await virtualService(fresh);
    await router.reconcile(fresh);
    assert.equal((await virtualService(fresh)).metadata?.resourceVersion, copied.metadata?.resourceVersion);
  });

  it('routes TCP services with tcp routes', async () => {
    const canary = await newCanary({ appProtocol: 'tcp', match: [{ port: 9898 }] });
    await router.reconcile(canary);
    await router.setRoutes(canary, split(70, 30));
    const vs = await virtualService(canary);
    assert.equal(vs.spec?.http, undefined);
    assert.deepEqual(vs.spec?.tcp?.[0]?.match, [{ port: 9898 }]);
    assert.deepEqual(await router.getRoutes(canary), split(70, 30));
  });

  it('makes delegate VirtualServices, and refuses delegation with hosts', async () => {
    const canary = await newCanary({ delegation: true });
    await router.reconcile(canary);
    const vs = await virtualService(canary);
    assert.equal(vs.spec?.hosts, undefined);
    assert.equal(vs.spec?.gateways, undefined);
    const invalid = await newCanary({ delegation: true, hosts: ['app.example.com'] });
    await assert.rejects(router.reconcile(invalid), /cannot have hosts and gateways when delegation enabled/);
  });

  it('takes over an existing VirtualService and reverts it on finalize', async () => {
    const canary = await newCanary();
    const userSpec = {
      hosts: ['podinfo'],
      gateways: ['mesh'],
      http: [{ route: [{ destination: { host: 'podinfo' } }] }],
      exportTo: ['.'],
    };
    await cluster.client.create<VirtualService>({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'podinfo', namespace: canary.metadata.namespace },
      spec: userSpec,
    });
    await router.reconcile(canary);
    const taken = await virtualService(canary);
    assert.deepEqual(JSON.parse(taken.metadata?.annotations?.[ORIGINAL] ?? ''), userSpec);
    assert.deepEqual(await router.getRoutes(canary), split(100, 0));
    await router.setRoutes(canary, split(80, 20));

    await router.finalize(canary);
    assert.deepEqual((await virtualService(canary)).spec, userSpec);
  });

  it("reverts to kubectl's last applied spec on finalize", async () => {
    const canary = await newCanary();
    const applied = { hosts: ['podinfo'], http: [{ route: [{ destination: { host: 'podinfo' } }] }] };
    const lastApplied = { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', spec: applied };
    await cluster.client.create<VirtualService>({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: {
        name: 'podinfo',
        namespace: canary.metadata.namespace,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(lastApplied) },
      },
      spec: applied,
    });
    await router.reconcile(canary);
    assert.equal((await virtualService(canary)).metadata?.annotations?.[ORIGINAL], undefined);
    await router.finalize(canary);
    assert.deepEqual((await virtualService(canary)).spec, applied);
  });

  it('leaves its own VirtualService alone on finalize, and tolerates a missing one', async () => {
    const canary = await newCanary();
    await router.reconcile(canary);
    await router.setRoutes(canary, split(50, 50));
    await router.finalize(canary);
    assert.deepEqual(await router.getRoutes(canary), split(50, 50));
    await router.finalize(await newCanary());
  });

  it('sets no owner references when the mesh is in another cluster', async () => {
    const remote = new IstioRouter({ kube: cluster.client, logger: silentLogger(), setOwnerRefs: false });
    const canary = await newCanary();
    await remote.reconcile(canary);
    assert.equal((await virtualService(canary)).metadata?.ownerReferences, undefined);
    const dr = await cluster.client.get<DestinationRule>(ref(canary, 'DestinationRule', 'podinfo-primary'));
    assert.equal(dr.metadata?.ownerReferences, undefined);
  });
});
