import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryService } from '../../src/api/canary.ts';
import type { Service } from '../../src/kube/types.ts';
import { FLUX_DISABLED_ANNOTATIONS as FLUX, canaryOwnerReference } from '../../src/api/generated-objects.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { KubernetesServiceRouter } from '../../src/routers/service-router.ts';
import type { TargetMetadata } from '../../src/targets/types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';

const metadata: TargetMetadata = { labelKey: 'app', labelValue: 'podinfo', ports: [] };

describe('ClusterIP Services on a real API server', () => {
  const cluster = useCluster({ kubelet: false });
  let router: KubernetesServiceRouter;

  before(async () => {
    await installCrds(cluster.client);
    router = new KubernetesServiceRouter({ kube: cluster.client, logger: silentLogger() });
  });

  async function newCanary(service: Partial<CanaryService> = {}): Promise<Canary> {
    const namespace = await cluster.namespace('svc');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898, ...service },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10 },
      },
    });
  }

  const service = (canary: Canary, name: string) =>
    cluster.client.get<Service>({
      apiVersion: 'v1',
      kind: 'Service',
      name,
      namespace: canary.metadata.namespace,
    });

  it('creates the canary, primary and apex Services as Flagger does', async () => {
    const canary = await newCanary({ targetPort: 'http' });
    await router.initialize(canary, metadata);
    await router.reconcile(canary, metadata);
    const expected = [
      ['podinfo-canary', 'podinfo'],
      ['podinfo-primary', 'podinfo-primary'],
      ['podinfo', 'podinfo-primary'],
    ];
    for (const [name, selected] of expected) {
      const svc = await service(canary, name!);
      assert.equal(svc.spec?.type, 'ClusterIP');
      assert.deepEqual(svc.spec.selector, { app: selected });
      assert.deepEqual(svc.spec.ports, [{ name: 'http', protocol: 'TCP', port: 9898, targetPort: 'http' }]);
      assert.deepEqual(svc.metadata?.labels, { app: name });
      assert.deepEqual(svc.metadata.annotations, FLUX);
      assert.deepEqual(svc.metadata.ownerReferences, [canaryOwnerReference(canary)]);
    }
  });

  it('writes nothing when the Services are up to date', async () => {
    const canary = await newCanary();
    await router.initialize(canary, metadata);
    await router.reconcile(canary, metadata);
    const before = await service(canary, 'podinfo');
    await router.initialize(canary, metadata);
    await router.reconcile(canary, metadata);
    assert.equal(
      (await service(canary, 'podinfo')).metadata?.resourceVersion,
      before.metadata?.resourceVersion,
    );
  });

  it('makes headless Services with a numeric target port, app protocol and discovered ports', async () => {
    const canary = await newCanary({
      name: 'backend',
      headless: true,
      targetPort: 8080,
      appProtocol: 'http',
    });
    const discovered = { ...metadata, ports: [{ name: 'tcp-podinfo-1', port: 9797 }] };
    await router.initialize(canary, discovered);
    const svc = await service(canary, 'backend-primary');
    assert.equal(svc.spec?.clusterIP, 'None');
    assert.deepEqual(svc.spec.ports, [
      { name: 'http', protocol: 'TCP', port: 9898, targetPort: 8080, appProtocol: 'http' },
      { name: 'tcp-podinfo-1', protocol: 'TCP', port: 9797, targetPort: 9797 },
    ]);
    assert.deepEqual(svc.metadata?.labels, { app: 'backend-primary' });
  });

  it('keeps the metadata of owned Services in line with the canary, except the unmanaged keys', async () => {
    const canary = await newCanary({
      canary: { labels: { tier: 'canary' }, annotations: { note: 'canary' } },
      unmanagedMetadata: { annotations: ['external/owner'] },
    });
    await router.initialize(canary, metadata);
    const ref = {
      apiVersion: 'v1',
      kind: 'Service',
      name: 'podinfo-canary',
      namespace: canary.metadata.namespace,
    };
    await cluster.client.modify<Service>(ref, svc => {
      svc.metadata!.annotations = { ...svc.metadata!.annotations, 'external/owner': 'team-a', stray: 'x' };
      svc.metadata!.labels = { ...svc.metadata!.labels, stray: 'x' };
      return true;
    });
    await router.initialize(canary, metadata);
    const svc = await service(canary, 'podinfo-canary');
    assert.deepEqual(svc.metadata?.labels, { tier: 'canary', app: 'podinfo-canary' });
    assert.deepEqual(svc.metadata.annotations, { note: 'canary', 'external/owner': 'team-a', ...FLUX });
  });

  it('takes over an existing apex Service and points it back at the target on finalize', async () => {
    const canary = await newCanary();
    const namespace = canary.metadata.namespace;
    await cluster.client.create<Service>({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'podinfo', namespace, labels: { team: 'a' } },
      spec: {
        type: 'NodePort',
        selector: { app: 'podinfo' },
        ports: [{ name: 'http', port: 80, targetPort: 9898, nodePort: 30123 }],
      },
    });
    await router.reconcile(canary, metadata);
    const taken = await service(canary, 'podinfo');
    assert.equal(taken.spec?.type, 'NodePort');
    assert.deepEqual(taken.spec.selector, { app: 'podinfo-primary' });
    assert.deepEqual(taken.spec.ports, [
      { name: 'http', protocol: 'TCP', port: 9898, targetPort: 9898, nodePort: 30123 },
    ]);
    assert.deepEqual(taken.metadata?.labels, { team: 'a' });
    assert.deepEqual(taken.metadata.annotations, FLUX);
    assert.equal(taken.metadata.ownerReferences, undefined);

    await router.finalize(canary, metadata);
    assert.deepEqual((await service(canary, 'podinfo')).spec?.selector, { app: 'podinfo' });
  });

  it("restores the selector of kubectl's last applied configuration on finalize", async () => {
    const canary = await newCanary();
    const lastApplied = { apiVersion: 'v1', kind: 'Service', spec: { selector: { name: 'podinfo-v1' } } };
    await cluster.client.create<Service>({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'podinfo',
        namespace: canary.metadata.namespace,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(lastApplied) },
      },
      spec: { selector: { name: 'podinfo-v1' }, ports: [{ port: 9898 }] },
    });
    await router.reconcile(canary, metadata);
    assert.deepEqual((await service(canary, 'podinfo')).spec?.selector, { app: 'podinfo-primary' });
    await router.finalize(canary, metadata);
    assert.deepEqual((await service(canary, 'podinfo')).spec?.selector, { name: 'podinfo-v1' });
  });

  it('leaves its own apex Service to garbage collection on finalize, and tolerates a missing one', async () => {
    const canary = await newCanary();
    await router.reconcile(canary, metadata);
    await router.finalize(canary, metadata);
    assert.deepEqual((await service(canary, 'podinfo')).spec?.selector, { app: 'podinfo-primary' });

    const other = await newCanary();
    await router.finalize(other, metadata);
  });

  it('gives the Services owner references that garbage collection follows', async () => {
    const canary = await newCanary();
    await router.initialize(canary, metadata);
    await router.reconcile(canary, metadata);
    const { namespace, name } = canary.metadata;
    // Gone below means collected only if they were there, owned by the canary, before its deletion.
    const created = await cluster.client.list<Service>('v1', 'Service', { namespace });
    const owner = [canaryOwnerReference(canary)];
    assert.deepEqual(
      Object.fromEntries(created.items.map(svc => [svc.metadata?.name, svc.metadata?.ownerReferences])),
      { podinfo: owner, 'podinfo-canary': owner, 'podinfo-primary': owner },
    );
    await cluster.client.delete({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      name: name!,
      namespace,
    });
    await eventually(async () => {
      const left = await cluster.client.list<Service>('v1', 'Service', { namespace });
      return left.items.length === 0;
    }, 'the generated Services were not garbage collected');
  });
});
