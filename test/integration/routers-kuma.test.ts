import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryService } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { KumaRouter, type TrafficRoute } from '../../src/routers/kuma.ts';
import { useCluster } from '../harness/cluster.ts';
import { providerCrds, split } from '../harness/router-fixtures.ts';

describe('Kuma router on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let router: KumaRouter;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('kuma')]);
    router = new KumaRouter({ kube: cluster.client, logger: silentLogger() });
  });

  // TrafficRoutes are cluster-scoped: every test names its apex Service after its namespace.
  async function newCanary(annotations?: Record<string, string>, service: Partial<CanaryService> = {}) {
    const namespace = await cluster.namespace('kuma');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace, ...(annotations ? { annotations } : {}) },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { name: namespace, port: 80, ...service },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10 },
      },
    });
  }
  const trafficRoute = (canary: Canary) =>
    cluster.client.get<TrafficRoute>({
      apiVersion: 'kuma.io/v1alpha1',
      kind: 'TrafficRoute',
      name: canary.metadata.namespace ?? '',
    });

  it('creates the TrafficRoute in the Canary mesh, without an owner reference', async () => {
    const canary = await newCanary({ 'kuma.io/mesh': 'prod' });
    const ns = canary.metadata.namespace ?? '';
    await router.reconcile(canary);
    const created = await trafficRoute(canary);
    assert.equal(created.mesh, 'prod');
    assert.equal(created.metadata?.ownerReferences, undefined);
    assert.equal(created.metadata?.annotations?.['80.service.kuma.io'], 'http');
    assert.deepEqual(created.spec, {
      sources: [{ match: { 'kuma.io/service': '*' } }],
      destinations: [{ match: { 'kuma.io/service': `${ns}_${ns}_svc_80` } }],
      conf: {
        split: [
          { weight: 100, destination: { 'kuma.io/service': `${ns}-primary_${ns}_svc_80` } },
          { weight: 0, destination: { 'kuma.io/service': `${ns}-canary_${ns}_svc_80` } },
        ],
      },
    });
    assert.deepEqual(await router.getRoutes(canary), split(100, 0));
  });

  it('round-trips the split, and the reconcile keeps it', async () => {
    const canary = await newCanary();
    await router.reconcile(canary);
    assert.equal((await trafficRoute(canary)).mesh, 'default');
    await router.setRoutes(canary, split(60, 40));
    assert.deepEqual(await router.getRoutes(canary), split(60, 40));

    const before = await trafficRoute(canary);
    await router.reconcile(canary);
    assert.equal((await trafficRoute(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

    const moved = { ...canary, spec: { ...canary.spec, service: { ...canary.spec.service, port: 8080 } } };
    await router.reconcile(moved);
    const rewritten = await trafficRoute(canary);
    assert.deepEqual(
      rewritten.spec?.conf.split.map(entry => entry.weight),
      [60, 40],
    );
    const primary = rewritten.spec.conf.split[0];
    assert.match(primary?.destination['kuma.io/service'] ?? '', /_svc_8080$/);

    // Blue/green: everything to the canary.
    await router.setRoutes(moved, split(0, 100));
    assert.deepEqual(await router.getRoutes(moved), split(0, 100));
  });

  it('fails to read a TrafficRoute without the primary', async () => {
    const canary = await newCanary();
    const name = canary.metadata.namespace ?? '';
    await cluster.client.create<TrafficRoute>({
      apiVersion: 'kuma.io/v1alpha1',
      kind: 'TrafficRoute',
      metadata: { name },
      mesh: 'default',
      spec: { sources: [], destinations: [], conf: { split: [] } },
    });
    await assert.rejects(
      router.getRoutes(canary),
      new RegExp(`TrafficRoute ${name} does not contain routes`),
    );
  });
});
