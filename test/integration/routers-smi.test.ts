import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryService } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { canaryOwnerReference } from '../../src/api/generated-objects.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import {
  SmiRouter,
  linkerdRouter,
  osmRouter,
  type SmiOptions,
  type TrafficSplitSpec,
} from '../../src/routers/smi.ts';
import { useCluster } from '../harness/cluster.ts';
import { providerCrds, split } from '../harness/router-fixtures.ts';

describe('SMI routers on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  const logger = silentLogger();

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('smi')]);
  });

  async function newCanary(service: Partial<CanaryService> = {}): Promise<Canary> {
    const namespace = await cluster.namespace('smi');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 80, ...service },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10 },
      },
    });
  }
  const trafficSplit = (canary: Canary, version: string) =>
    cluster.client.get<KubeObject & { spec?: TrafficSplitSpec }>({
      apiVersion: `split.smi-spec.io/${version}`,
      kind: 'TrafficSplit',
      name: 'podinfo',
      namespace: canary.metadata.namespace,
    });
  const router = (options: SmiOptions, setOwnerRefs = true) =>
    new SmiRouter({ kube: cluster.client, logger, setOwnerRefs }, options);

  it('linkerd creates a v1alpha1 TrafficSplit with quantity weights and an owner reference', async () => {
    const canary = await newCanary();
    const linkerd = linkerdRouter({ kube: cluster.client, logger, setOwnerRefs: true });
    await linkerd.reconcile(canary);
    const created = await trafficSplit(canary, 'v1alpha1');
    assert.deepEqual(created.spec, {
      service: 'podinfo',
      backends: [
        { service: 'podinfo-canary', weight: '0' },
        { service: 'podinfo-primary', weight: '100' },
      ],
    });
    assert.equal(created.metadata?.annotations, undefined);
    assert.deepEqual(created.metadata?.ownerReferences, [canaryOwnerReference(canary)]);
    assert.deepEqual(await linkerd.getRoutes(canary), split(100, 0));
    await linkerd.setRoutes(canary, split(60, 40));
    assert.deepEqual(await linkerd.getRoutes(canary), split(60, 40));
  });

  for (const version of ['v1alpha2', 'v1alpha3'] as const) {
    it(`smi:${version} round-trips the split and the reconcile keeps it`, async () => {
      const canary = await newCanary({ hosts: ['podinfo.example.com'] });
      const smi = router({ version });
      await smi.reconcile(canary);
      await smi.setRoutes(canary, split(80, 20));
      assert.deepEqual((await trafficSplit(canary, version)).spec, {
        service: 'podinfo.example.com',
        backends: [
          { service: 'podinfo-canary', weight: 20 },
          { service: 'podinfo-primary', weight: 80 },
        ],
      });
      const before = await trafficSplit(canary, version);
      await smi.reconcile(canary);
      assert.equal(
        (await trafficSplit(canary, version)).metadata?.resourceVersion,
        before.metadata?.resourceVersion,
      );

      await smi.reconcile({ ...canary, spec: { ...canary.spec, service: { port: 80 } } });
      const rewritten = await trafficSplit(canary, version);
      assert.equal(rewritten.spec?.service, 'podinfo');
      assert.deepEqual(await smi.getRoutes(canary), split(80, 20));
      // Blue/green: all traffic to the canary, then back.
      await smi.setRoutes(canary, split(0, 100));
      assert.deepEqual(await smi.getRoutes(canary), split(0, 100));
    });
  }

  it('osm writes v1alpha2; the Istio gateways annotation only for the istio mesh', async () => {
    const gateways = ['public-gateway.istio-system.svc.cluster.local'];
    const osmCanary = await newCanary({ gateways });
    await osmRouter({ kube: cluster.client, logger, setOwnerRefs: true }).reconcile(osmCanary);
    assert.equal((await trafficSplit(osmCanary, 'v1alpha2')).metadata?.annotations, undefined);

    const istioCanary = await newCanary({ gateways });
    await router({ version: 'v1alpha3', mesh: 'istio' }, false).reconcile(istioCanary);
    const created = await trafficSplit(istioCanary, 'v1alpha3');
    assert.deepEqual(created.metadata?.annotations, {
      'VirtualService.v1alpha3.networking.istio.io/spec.gateways': JSON.stringify(gateways),
    });
    assert.equal(created.metadata.ownerReferences, undefined);
  });

  it('fails to read a split without the primary and canary backends', async () => {
    const canary = await newCanary();
    await cluster.client.create({
      apiVersion: 'split.smi-spec.io/v1alpha3',
      kind: 'TrafficSplit',
      metadata: { name: 'podinfo', namespace: canary.metadata.namespace },
      spec: { service: 'podinfo', backends: [{ service: 'other', weight: 100 }] },
    });
    await assert.rejects(
      router({ version: 'v1alpha3' }).getRoutes(canary),
      /TrafficSplit podinfo\.smi-\w+ does not contain routes for podinfo-primary and podinfo-canary/,
    );
  });
});
