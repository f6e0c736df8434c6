import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryService } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { FLUX_DISABLED_ANNOTATIONS as FLUX, canaryOwnerReference } from '../../src/api/generated-objects.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { TraefikRouter, type TraefikServiceSpec } from '../../src/routers/traefik.ts';
import { useCluster } from '../harness/cluster.ts';
import { providerCrds, split } from '../harness/router-fixtures.ts';

describe('Traefik router on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let router: TraefikRouter;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('traefik')]);
    router = new TraefikRouter({ kube: cluster.client, logger: silentLogger(), setOwnerRefs: true });
  });

  async function newCanary(service: Partial<CanaryService> = {}): Promise<Canary> {
    const namespace = await cluster.namespace('traefik');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        provider: 'traefik',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 80, targetPort: 9898, ...service },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10 },
      },
    });
  }

  const traefikService = (canary: Canary) =>
    cluster.client.get<KubeObject & { spec?: TraefikServiceSpec }>({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TraefikService',
      name: 'podinfo',
      namespace: canary.metadata.namespace,
    });
  const entry = (canary: Canary, name: string, weight?: number) => ({
    name,
    namespace: canary.metadata.namespace,
    port: 80,
    ...(weight === undefined ? {} : { weight }),
  });

  it('creates the TraefikService with the primary only, and the apex metadata', async () => {
    const canary = await newCanary({ apex: { labels: { tier: 'web' }, annotations: { note: 'apex' } } });
    await router.reconcile(canary);
    const created = await traefikService(canary);
    assert.deepEqual(created.spec, { weighted: { services: [entry(canary, 'podinfo-primary', 100)] } });
    assert.deepEqual(created.metadata?.labels, { tier: 'web' });
    assert.deepEqual(created.metadata.annotations, { note: 'apex', ...FLUX });
    assert.deepEqual(created.metadata.ownerReferences, [canaryOwnerReference(canary)]);
    assert.deepEqual(await router.getRoutes(canary), split(100, 0));
  });

  it('adds the canary while it gets traffic, and reconcile keeps the split', async () => {
    const canary = await newCanary();
    await router.reconcile(canary);
    await router.setRoutes(canary, split(80, 20));
    assert.deepEqual((await traefikService(canary)).spec?.weighted?.services, [
      entry(canary, 'podinfo-primary', 80),
      entry(canary, 'podinfo-canary', 20),
    ]);
    assert.deepEqual(await router.getRoutes(canary), split(80, 20));

    const before = await traefikService(canary);
    await router.reconcile(canary);
    assert.equal((await traefikService(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

    await router.reconcile({ ...canary, spec: { ...canary.spec, service: { port: 8080 } } });
    assert.deepEqual(
      (await traefikService(canary)).spec?.weighted?.services?.map(s => [s.port, s.weight]),
      [
        [8080, 80],
        [8080, 20],
      ],
    );

    await router.setRoutes(canary, split(0, 100));
    assert.deepEqual(await router.getRoutes(canary), split(0, 100));
    await router.setRoutes(canary, split(100, 0));
    assert.deepEqual((await traefikService(canary)).spec?.weighted?.services, [
      entry(canary, 'podinfo-primary', 100),
    ]);
    await assert.rejects(router.setRoutes(canary, split(0, 0)), /no valid weights/);
  });

  it('fails to read a split without the primary, and sets no owner reference for a remote mesh', async () => {
    const canary = await newCanary();
    await cluster.client.create({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'TraefikService',
      metadata: { name: 'podinfo', namespace: canary.metadata.namespace },
      spec: { weighted: { services: [] } },
    });
    await assert.rejects(router.getRoutes(canary), /TraefikService podinfo\.traefik-\w+ services not found/);

    const remote = new TraefikRouter({ kube: cluster.client, logger: silentLogger(), setOwnerRefs: false });
    const other = await newCanary();
    await remote.reconcile(other);
    assert.equal((await traefikService(other)).metadata?.ownerReferences, undefined);
  });
});
