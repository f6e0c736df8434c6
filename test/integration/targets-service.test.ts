import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary } from '../../src/api/canary.ts';
import type { Service } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { ServiceTarget } from '../../src/targets/service.ts';
import { useCluster } from '../harness/cluster.ts';
import { createCanary, targetDeps } from './targets-fixtures.ts';

describe('Service target on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let target: ServiceTarget;

  before(async () => {
    await installCrds(cluster.client);
    target = new ServiceTarget(targetDeps(cluster.client));
  });

  const ref = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Service', name, namespace });
  const get = (namespace: string, name: string) => cluster.client.get<Service>(ref(namespace, name));

  async function setup(): Promise<{ namespace: string; canary: Canary }> {
    const namespace = await cluster.namespace('svc');
    await cluster.client.create<Service>({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'backend',
        namespace,
        labels: {
          app: 'backend',
          'app.kubernetes.io/part-of': 'shop',
          'kustomize.toolkit.fluxcd.io/name': 'apps',
        },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          note: 'n',
          'kustomize.toolkit.fluxcd.io/checksum': 'x',
        },
      },
      spec: { selector: { app: 'backend-v1' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    const canary = await createCanary(cluster.client, namespace, {
      targetRef: { apiVersion: 'v1', kind: 'Service', name: 'backend' },
    });
    return { namespace, canary };
  }

  async function setSelector(namespace: string, app: string): Promise<void> {
    await cluster.client.patch(ref(namespace, 'backend'), 'merge', { spec: { selector: { app } } });
  }

  it('copies the target to -canary and -primary Services owned by the canary', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    const source = await get(namespace, 'backend');
    for (const name of ['backend-canary', 'backend-primary']) {
      const copy = await get(namespace, name);
      assert.deepEqual(copy.spec!.selector, { app: 'backend-v1' });
      assert.deepEqual(copy.spec!.ports, source.spec!.ports);
      assert.notEqual(copy.spec!.clusterIP, source.spec!.clusterIP);
      // As Flagger's buildService: everything but kubectl's annotation, Flux's keys included, nothing added.
      assert.deepEqual(copy.metadata!.annotations, {
        note: 'n',
        'kustomize.toolkit.fluxcd.io/checksum': 'x',
      });
      assert.deepEqual(copy.metadata!.labels, source.metadata!.labels);
      assert.equal(copy.metadata!.ownerReferences?.[0]?.uid, canary.metadata.uid);
    }
    assert.deepEqual(await target.isCanaryReady(), { ready: true });
    assert.deepEqual(await target.getMetadata(), { labelKey: '', labelValue: '', ports: [] });

    await setSelector(namespace, 'backend-v2');
    await target.initialize(canary);
    assert.deepEqual((await get(namespace, 'backend-canary')).spec!.selector, { app: 'backend-v2' });
    assert.deepEqual((await get(namespace, 'backend-primary')).spec!.selector, { app: 'backend-v1' });
  });

  it('detects spec changes and promotes the spec, keeping the primary cluster IP and owner', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    const initial = await target.revision(canary);
    const applied: Canary = { ...canary, status: { lastAppliedSpec: initial.specHash } };
    assert.equal(await target.hasTargetChanged(applied), false);
    await setSelector(namespace, 'backend-v2');
    assert.equal(await target.hasTargetChanged(applied), true);

    const before = await get(namespace, 'backend-primary');
    await target.promote(canary);
    const after = await get(namespace, 'backend-primary');
    assert.deepEqual(after.spec!.selector, { app: 'backend-v2' });
    assert.equal(after.spec!.clusterIP, before.spec!.clusterIP);
    assert.deepEqual(after.metadata!.ownerReferences, before.metadata!.ownerReferences);
    assert.deepEqual(after.metadata!.labels, { 'app.kubernetes.io/part-of': 'shop' });
    assert.deepEqual(
      after.metadata!.annotations ?? {},
      {},
      'only -include-label-prefix annotations, Flux keys aside',
    );
  });

  it('migrates a status written by Flagger by comparing the target with the primary', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    const fromFlagger: Canary = { ...canary, status: { lastAppliedSpec: '3141592653' } };
    assert.equal(await target.hasTargetChanged(fromFlagger), false);
    await setSelector(namespace, 'backend-v2');
    assert.equal(await target.hasTargetChanged(fromFlagger), true);
  });
});
