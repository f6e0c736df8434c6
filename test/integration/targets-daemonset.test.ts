import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary } from '../../src/api/canary.ts';
import type { ConfigMap, DaemonSet } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { DaemonSetTarget, SCALE_TO_ZERO_KEY } from '../../src/targets/daemonset.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import {
  IMAGE_V1,
  IMAGE_V2,
  NEVER_READY,
  createCanary,
  createConfigs,
  eventuallyFailed,
  eventuallyReady,
  podinfoTemplate,
  targetDeps,
  targetMetadata,
} from './targets-fixtures.ts';

describe('DaemonSet target on a real control plane', () => {
  const cluster = useCluster();
  let target: DaemonSetTarget;

  before(async () => {
    await installCrds(cluster.client);
    target = new DaemonSetTarget(targetDeps(cluster.client));
  });

  const ref = (namespace: string, name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    name,
    namespace,
  });
  const get = (namespace: string, name: string) => cluster.client.get<DaemonSet>(ref(namespace, name));
  const podSpec = (ds: DaemonSet) => ds.spec!.template.spec!;

  async function setup(
    strategy: NonNullable<DaemonSet['spec']>['updateStrategy'] = { type: 'RollingUpdate' },
  ): Promise<{ namespace: string; canary: Canary }> {
    const namespace = await cluster.namespace('ds');
    await createConfigs(cluster.client, namespace);
    await cluster.client.create<DaemonSet>({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: targetMetadata('agent', namespace),
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        updateStrategy: strategy,
        template: podinfoTemplate('agent'),
      },
    });
    const canary = await createCanary(cluster.client, namespace, {
      targetRef: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' },
    });
    return { namespace, canary };
  }

  async function setImage(namespace: string, value: string): Promise<void> {
    await cluster.client.modify<DaemonSet>(ref(namespace, 'agent'), ds => {
      podSpec(ds).containers[0]!.image = value;
      return true;
    });
  }

  it('creates the primary DaemonSet, which becomes ready', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    const primary = await get(namespace, 'agent-primary');
    assert.deepEqual(primary.metadata!.labels, { app: 'agent-primary', 'app.kubernetes.io/part-of': 'shop' });
    assert.equal(primary.metadata!.ownerReferences?.[0]?.uid, canary.metadata.uid);
    assert.deepEqual(primary.spec!.selector.matchLabels, { app: 'agent-primary' });
    assert.equal(primary.spec!.updateStrategy?.type, 'RollingUpdate');
    assert.equal(podSpec(primary).containers[0]!.envFrom?.[0]?.configMapRef?.name, 'podinfo-config-primary');
    await eventuallyReady(() => target.isPrimaryReady(canary), 'the primary did not become ready');
  });

  it('refuses a target without the RollingUpdate strategy', async () => {
    const { namespace, canary } = await setup({ type: 'OnDelete' });
    await assert.rejects(target.initialize(canary), {
      message: `createPrimaryDaemonSet failed: daemonset agent.${namespace} must have RollingUpdate strategy but have OnDelete`,
    });
  });

  it('scales to zero with a nodeSelector, without changing the revision', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    const revision = await target.revision(canary);
    await target.scaleToZero(canary);
    assert.deepEqual(podSpec(await get(namespace, 'agent')).nodeSelector, { [SCALE_TO_ZERO_KEY]: 'true' });
    await eventually(
      async () => (await get(namespace, 'agent')).status?.desiredNumberScheduled === 0,
      'the target kept its pods',
    );
    assert.deepEqual(await target.revision(canary), revision);

    await target.scaleFromZero(canary);
    assert.equal(podSpec(await get(namespace, 'agent')).nodeSelector, undefined);
    await eventuallyReady(() => target.isCanaryReady(canary), 'the target did not come back');
    assert.deepEqual(await target.revision(canary), revision);
  });

  it('fails a never-ready canary after the progress deadline counted from the last transition', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    await eventuallyReady(() => target.isCanaryReady(canary), 'the target did not become ready');
    await cluster.client.modify<DaemonSet>(ref(namespace, 'agent'), ds => {
      const meta = ds.spec!.template.metadata!;
      meta.annotations = { ...meta.annotations, ...NEVER_READY };
      return true;
    });
    const now = new Date().toISOString();
    const progressing: Canary = { ...canary, status: { lastTransitionTime: now } };
    await eventually(async () => {
      const readiness = await target.isCanaryReady(progressing);
      return (
        !readiness.ready && readiness.retriable && readiness.message.includes('updated pods are available')
      );
    }, 'the rollout was not seen in progress');

    const late: Canary = {
      ...canary,
      spec: { ...canary.spec, progressDeadlineSeconds: 1 },
      status: { lastTransitionTime: new Date(Date.now() - 60_000).toISOString() },
    };
    const failed = await eventuallyFailed(() => target.isCanaryReady(late), 'the rollout never failed');
    assert.equal(
      failed.message,
      `canary damonset agent.${namespace} not ready with retryable false: exceeded its progressDeadlineSeconds: 1`,
    );
  });

  it('has a new revision on an image change and promotes it, leaving the scale-to-zero selector behind', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    const initial = await target.revision(canary);
    const applied: Canary = { ...canary, status: { lastAppliedSpec: initial.specHash } };
    await setImage(namespace, IMAGE_V2);
    await cluster.client.modify<ConfigMap>(
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'podinfo-config', namespace },
      cm => {
        cm.data = { color: 'green' };
        return true;
      },
    );
    assert.equal(await target.hasTargetChanged(applied), true);
    assert.notEqual((await target.revision(canary)).specHash, initial.specHash);

    await target.scaleToZero(canary);
    await target.promote(canary);
    const primary = await get(namespace, 'agent-primary');
    assert.equal(podSpec(primary).containers[0]!.image, IMAGE_V2);
    assert.equal(podSpec(primary).nodeSelector, undefined);
    const config = await cluster.client.get<ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'podinfo-config-primary',
      namespace,
    });
    assert.deepEqual(config.data, { color: 'green' });
    await eventuallyReady(() => target.isPrimaryReady(canary), 'the promoted primary did not become ready');
  });

  it('migrates a status written by Flagger while the target is scaled to zero', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    await target.scaleToZero(canary);
    const fromFlagger: Canary = {
      ...canary,
      status: { lastAppliedSpec: '1234567890', lastPromotedSpec: '987654321' },
    };
    assert.equal(await target.hasTargetChanged(fromFlagger), false);
    await setImage(namespace, IMAGE_V2);
    assert.equal(await target.hasTargetChanged(fromFlagger), true);
    await setImage(namespace, IMAGE_V1);
    await target.finalize(canary);
    assert.equal(podSpec(await get(namespace, 'agent')).nodeSelector, undefined, 'finalize scales up');
  });
});
