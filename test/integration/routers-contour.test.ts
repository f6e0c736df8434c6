import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { FLUX_DISABLED_ANNOTATIONS as FLUX, canaryOwnerReference } from '../../src/api/generated-objects.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { ContourRouter } from '../../src/routers/contour.ts';
import type { HttpProxy } from '../../src/routers/contour-proxy.ts';
import { useCluster } from '../harness/cluster.ts';
import { providerCrds, split } from '../harness/router-fixtures.ts';

describe('Contour router on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let router: ContourRouter;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('contour')]);
    router = new ContourRouter({
      kube: cluster.client,
      logger: silentLogger(),
      setOwnerRefs: true,
      ingressClass: '',
    });
  });

  async function newCanary(
    service: Partial<CanaryService> = {},
    analysis: Partial<CanaryAnalysis> = {},
  ): Promise<Canary> {
    const namespace = await cluster.namespace('contour');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        provider: 'contour',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 80, targetPort: 9898, ...service },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
      },
    });
  }

  const proxy = (canary: Canary) =>
    cluster.client.get<HttpProxy>({
      apiVersion: 'projectcontour.io/v1',
      kind: 'HTTPProxy',
      name: 'podinfo',
      namespace: canary.metadata.namespace,
    });
  const backend = (canary: Canary, name: string, weight?: number) => ({
    name,
    port: 80,
    ...(weight === undefined ? {} : { weight }),
    requestHeadersPolicy: {
      set: [
        {
          name: 'l5d-dst-override',
          value: `${name}.${canary.metadata.namespace ?? ''}.svc.cluster.local:80`,
        },
      ],
    },
  });

  it('creates the HTTPProxy with the split, policies, class and apex metadata', async () => {
    const classed = new ContourRouter({
      kube: cluster.client,
      logger: silentLogger(),
      setOwnerRefs: true,
      ingressClass: 'contour',
    });
    const canary = await newCanary({
      timeout: '15s',
      retries: { attempts: 3, perTryTimeout: '5s', retryOn: '5xx' },
      apex: { labels: { tier: 'web' }, annotations: { note: 'apex' } },
    });
    await classed.reconcile(canary);
    const created = await proxy(canary);
    assert.deepEqual(created.spec, {
      ingressClassName: 'contour',
      routes: [
        {
          conditions: [{ prefix: '/' }],
          services: [backend(canary, 'podinfo-primary', 100), backend(canary, 'podinfo-canary')],
          timeoutPolicy: { response: '15s', idle: '5m' },
          retryPolicy: { count: 3, perTryTimeout: '5s', retryOn: ['5xx'] },
        },
      ],
    });
    assert.deepEqual(created.metadata?.labels, { tier: 'web' });
    assert.deepEqual(created.metadata.annotations, { note: 'apex', ...FLUX });
    assert.deepEqual(created.metadata.ownerReferences, [canaryOwnerReference(canary)]);
    assert.deepEqual(await classed.getRoutes(canary), split(100, 0));
  });

  it('moves the weights, and reconcile keeps them when the service settings change', async () => {
    const canary = await newCanary();
    await router.reconcile(canary);
    await router.setRoutes(canary, split(60, 40));
    assert.deepEqual(await router.getRoutes(canary), split(60, 40));

    const before = await proxy(canary);
    await router.reconcile(canary);
    assert.equal((await proxy(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

    const changed = {
      ...canary,
      spec: { ...canary.spec, service: { port: 80, match: [{ uri: { prefix: '/api' } }] } },
    };
    await router.reconcile(changed);
    assert.deepEqual((await proxy(canary)).spec?.routes?.[0]?.conditions, [{ prefix: '/api' }]);
    assert.deepEqual(await router.getRoutes(canary), split(60, 40));

    await router.setRoutes(canary, split(0, 100));
    assert.deepEqual(await router.getRoutes(canary), split(0, 100));
    await assert.rejects(router.setRoutes(canary, split(0, 0)), /no valid weights/);
  });

  it('routes A/B tests by header conditions in front of a default route', async () => {
    const canary = await newCanary(
      {},
      { iterations: 10, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] },
    );
    await router.reconcile(canary);
    await router.setRoutes(canary, split(0, 100));
    assert.deepEqual(await router.getRoutes(canary), split(0, 100));
    assert.deepEqual((await proxy(canary)).spec?.routes, [
      {
        conditions: [{ prefix: '/', header: { name: 'x-canary', exact: 'insider' } }],
        services: [backend(canary, 'podinfo-primary'), backend(canary, 'podinfo-canary', 100)],
      },
      {
        conditions: [{ prefix: '/' }],
        services: [backend(canary, 'podinfo-primary', 100), backend(canary, 'podinfo-canary')],
      },
    ]);
    await router.setRoutes(canary, split(100, 0));
    assert.deepEqual(await router.getRoutes(canary), split(100, 0));
  });

  it('fails to read a split from an HTTPProxy without the primary and canary', async () => {
    const canary = await newCanary();
    await cluster.client.create<HttpProxy>({
      apiVersion: 'projectcontour.io/v1',
      kind: 'HTTPProxy',
      metadata: { name: 'podinfo', namespace: canary.metadata.namespace },
      spec: { routes: [{ services: [{ name: 'podinfo', port: 80 }] }] },
    });
    await assert.rejects(router.getRoutes(canary), /HTTPProxy podinfo\.contour-\w+ services not found/);
    await router.reconcile(canary);
    assert.deepEqual(await router.getRoutes(canary), split(100, 0));
  });

  it('sets no owner references when the mesh is in another cluster', async () => {
    const remote = new ContourRouter({
      kube: cluster.client,
      logger: silentLogger(),
      setOwnerRefs: false,
      ingressClass: '',
    });
    const canary = await newCanary();
    await remote.reconcile(canary);
    assert.equal((await proxy(canary)).metadata?.ownerReferences, undefined);
  });
});
