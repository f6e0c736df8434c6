import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { canaryOwnerReference } from '../../src/api/generated-objects.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { ApisixRouter, type ApisixRoute } from '../../src/routers/apisix.ts';
import { useCluster } from '../harness/cluster.ts';
import { APISIX_ROUTE_REF, providerCrds, split, userApisixRoute } from '../harness/router-fixtures.ts';

describe('APISIX router on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let router: ApisixRouter;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('apisix')]);
    router = new ApisixRouter({ kube: cluster.client, logger: silentLogger(), setOwnerRefs: true });
  });

  async function newCanary(): Promise<Canary> {
    const namespace = await cluster.namespace('apisix');
    await cluster.client.create(userApisixRoute(namespace));
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        provider: 'apisix',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        routeRef: APISIX_ROUTE_REF,
        service: { port: 80 },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10 },
      },
    });
  }
  const canaryRoute = (canary: Canary) =>
    cluster.client.get<ApisixRoute>({
      apiVersion: 'apisix.apache.org/v2',
      kind: 'ApisixRoute',
      name: 'app-podinfo-canary',
      namespace: canary.metadata.namespace,
    });

  it('creates the canary route from the original, with its metadata and an owner reference', async () => {
    const canary = await newCanary();
    await router.reconcile(canary);
    const created = await canaryRoute(canary);
    assert.deepEqual(created.spec, {
      http: [
        {
          name: 'main',
          priority: 10000,
          match: { hosts: ['app.example.com'], paths: ['/*'] },
          backends: [
            { serviceName: 'podinfo-primary', servicePort: 80, weight: 100 },
            { serviceName: 'podinfo-canary', servicePort: 80, weight: 0 },
          ],
        },
      ],
    });
    assert.deepEqual(created.metadata?.labels, { team: 'web' });
    assert.deepEqual(created.metadata.annotations, { note: 'original' });
    assert.deepEqual(created.metadata.ownerReferences, [canaryOwnerReference(canary)]);
    assert.deepEqual(await router.getRoutes(canary), split(100, 0));
  });

  it('round-trips the split, and the reconcile keeps it while following the original', async () => {
    const canary = await newCanary();
    await router.reconcile(canary);
    await router.setRoutes(canary, split(70, 30));
    assert.deepEqual(await router.getRoutes(canary), split(70, 30));

    const before = await canaryRoute(canary);
    await router.reconcile(canary);
    assert.equal((await canaryRoute(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

    await cluster.client.modify<ApisixRoute>(
      {
        apiVersion: 'apisix.apache.org/v2',
        kind: 'ApisixRoute',
        name: 'app',
        namespace: canary.metadata.namespace,
      },
      route => {
        const rule = route.spec?.http?.[0];
        if (rule) rule.match = { paths: ['/v2/*'] };
        return true;
      },
    );
    await router.reconcile(canary);
    const rule = (await canaryRoute(canary)).spec?.http?.[0];
    assert.deepEqual(rule?.match, { paths: ['/v2/*'] });
    assert.deepEqual(
      rule.backends?.map(backend => backend.weight),
      [70, 30],
    );

    await router.setRoutes(canary, split(0, 100));
    assert.deepEqual(await router.getRoutes(canary), split(0, 100));
    await assert.rejects(router.setRoutes(canary, split(0, 0)), /no valid weights/);
  });

  it('fails without the original route, and sets no owner reference for a remote mesh', async () => {
    const canary = await newCanary();
    const missing = {
      ...canary,
      spec: { ...canary.spec, routeRef: { ...canary.spec.routeRef, name: 'none' } },
    };
    await assert.rejects(
      router.reconcile(missing as Canary),
      /APISIX route none\.apisix-\w+ get query error/,
    );

    const remote = new ApisixRouter({ kube: cluster.client, logger: silentLogger(), setOwnerRefs: false });
    await remote.reconcile(canary);
    assert.equal((await canaryRoute(canary)).metadata?.ownerReferences, undefined);
  });
});
