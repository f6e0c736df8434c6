import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary } from '../../src/api/canary.ts';
import type { ConfigMap, Deployment, Secret } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { DeploymentTarget } from '../../src/targets/deployment.ts';
import { configChecksum } from '../../src/util/hash.ts';
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

describe('Deployment target on a real control plane', () => {
  const cluster = useCluster();
  let target: DeploymentTarget;

  before(async () => {
    await installCrds(cluster.client);
    target = new DeploymentTarget(targetDeps(cluster.client));
  });

  const ref = (namespace: string, name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name,
    namespace,
  });
  const get = (namespace: string, name: string) => cluster.client.get<Deployment>(ref(namespace, name));
  const image = (d: Deployment) => d.spec?.template.spec?.containers[0]?.image;

  /** A namespace with podinfo (2 replicas), its configs and its Canary. */
  async function setup(spec: Partial<Canary['spec']> = {}): Promise<{ namespace: string; canary: Canary }> {
    const namespace = await cluster.namespace('deploy');
    await createConfigs(cluster.client, namespace);
    await cluster.client.create<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: targetMetadata('podinfo', namespace),
      spec: {
        replicas: 2,
        revisionHistoryLimit: 3,
        minReadySeconds: 1,
        selector: { matchLabels: { app: 'podinfo' } },
        template: podinfoTemplate('podinfo'),
      },
    });
    const canary = await createCanary(cluster.client, namespace, {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ...spec,
    });
    return { namespace, canary };
  }

  async function setImage(namespace: string, name: string, value: string): Promise<void> {
    await cluster.client.modify<Deployment>(ref(namespace, name), d => {
      d.spec!.template.spec!.containers[0]!.image = value;
      return true;
    });
  }

  it('creates the primary, its configs and the selector metadata, and the primary becomes ready', async () => {
    const { namespace, canary } = await setup({ service: { port: 9898, portDiscovery: true } });
    assert.deepEqual(await target.getMetadata(canary), {
      labelKey: 'app',
      labelValue: 'podinfo',
      ports: [{ name: 'grpc', port: 9999 }],
    });
    await target.initialize(canary);

    const primary = await get(namespace, 'podinfo-primary');
    const meta = primary.metadata!;
    const spec = primary.spec!;
    assert.deepEqual(meta.labels, { app: 'podinfo-primary', 'app.kubernetes.io/part-of': 'shop' });
    // The target's annotations without Flux's, and none added: Flagger puts the Flux ones on router objects only.
    assert.deepEqual(meta.annotations, { 'app.kubernetes.io/note': 'n', owner: 'team-a' });
    assert.deepEqual(meta.ownerReferences, [
      {
        apiVersion: 'flagger.app/v1beta1',
        kind: 'Canary',
        name: 'podinfo',
        uid: canary.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(spec.replicas, 2);
    assert.equal(spec.revisionHistoryLimit, 3);
    assert.equal(spec.minReadySeconds, 1);
    assert.deepEqual(spec.selector.matchLabels, { app: 'podinfo-primary' });
    const podMeta = spec.template.metadata!;
    const podSpec = spec.template.spec!;
    assert.equal(podMeta.labels?.app, 'podinfo-primary');
    const id = podMeta.annotations?.['flagger-id'];
    assert.match(id ?? '', /^[0-9a-f-]{36}$/);
    const container = podSpec.containers[0]!;
    assert.equal(container.envFrom?.[0]?.configMapRef?.name, 'podinfo-config-primary');
    assert.equal(container.env?.[0]?.valueFrom?.secretKeyRef?.name, 'podinfo-secret-primary');
    assert.equal(podSpec.volumes?.[0]?.configMap?.name, 'podinfo-config-primary');

    const config = await cluster.client.get<ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'podinfo-config-primary',
      namespace,
    });
    assert.deepEqual(config.data, { color: 'blue' });
    assert.deepEqual(config.metadata!.labels, { 'app.kubernetes.io/part-of': 'shop' });
    assert.equal(config.metadata!.annotations, undefined);
    assert.equal(config.metadata!.ownerReferences?.[0]?.uid, canary.metadata.uid);
    const secret = await cluster.client.get<Secret>({
      apiVersion: 'v1',
      kind: 'Secret',
      name: 'podinfo-secret-primary',
      namespace,
    });
    assert.equal(secret.type, 'Opaque');
    assert.equal(secret.metadata!.annotations, undefined);
    assert.equal(Buffer.from(secret.data?.token ?? '', 'base64').toString(), 's3cr3t');

    await eventuallyReady(() => target.isPrimaryReady(canary), 'the primary did not become ready');
    await target.initialize(canary);
    const again = await get(namespace, 'podinfo-primary');
    assert.equal(again.spec?.template.metadata?.annotations?.['flagger-id'], id, 'initialize never updates');
  });

  it('reports canary readiness from the rollout, and a stuck rollout as final after the deadline', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    await eventuallyReady(() => target.isCanaryReady(canary), 'the target did not become ready');

    // A new revision whose pods never get ready, scaled up from zero as a canary run does.
    await target.scaleToZero(canary);
    await cluster.client.modify<Deployment>(ref(namespace, 'podinfo'), d => {
      const podMeta = d.spec!.template.metadata!;
      podMeta.annotations = { ...podMeta.annotations, ...NEVER_READY };
      return true;
    });
    await target.scaleFromZero(canary);
    await eventually(async () => {
      const readiness = await target.isCanaryReady(canary);
      return (
        !readiness.ready &&
        readiness.retriable &&
        readiness.message.startsWith(
          `canary deployment podinfo.${namespace} not ready: waiting for rollout to finish:`,
        )
      );
    }, 'a rollout in progress is not retriable');

    const impatient: Canary = { ...canary, spec: { ...canary.spec, progressDeadlineSeconds: 1 } };
    const stuck = await eventuallyFailed(
      () => target.isCanaryReady(impatient),
      'the stuck rollout never failed',
    );
    assert.match(stuck.message, /0 of 2 \(readyThreshold 100%\) updated replicas are available$/);

    // Another never-ready revision, now with a short Deployment deadline. With the canary's own deadline far
    // away, only the Deployment's ProgressDeadlineExceeded condition makes it final.
    await cluster.client.patch(ref(namespace, 'podinfo'), 'merge', {
      spec: { progressDeadlineSeconds: 2, template: { metadata: { annotations: { revision: '3' } } } },
    });
    const exceeded = await eventuallyFailed(
      () => target.isCanaryReady(canary),
      'the Deployment never exceeded its progress deadline',
    );
    assert.equal(
      exceeded.message,
      `canary deployment podinfo.${namespace} not ready: deployment "podinfo" exceeded its progress deadline`,
    );
  });

  it('has a new revision when the image or a tracked config changes, not when only replicas do', async () => {
    const { namespace, canary } = await setup();
    const initial = await target.revision(canary);
    assert.deepEqual(initial.trackedConfigs, {
      'configmap/podinfo-config': configChecksum({ color: 'blue' }),
      'secret/podinfo-secret': configChecksum({ token: Buffer.from('s3cr3t').toString('base64') }),
    });
    const applied: Canary = {
      ...canary,
      status: { lastAppliedSpec: initial.specHash, trackedConfigs: initial.trackedConfigs },
    };
    assert.equal(await target.hasTargetChanged(applied), false);
    assert.equal(await target.haveDependenciesChanged(applied), false);

    await target.scaleToZero(canary);
    assert.deepEqual(await target.revision(canary), initial, 'scaling is not a revision');

    await cluster.client.modify<ConfigMap>(
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'podinfo-config', namespace },
      cm => {
        cm.data = { color: 'green' };
        return true;
      },
    );
    const configChanged = await target.revision(canary);
    assert.equal(configChanged.specHash, initial.specHash);
    assert.equal(
      configChanged.trackedConfigs['configmap/podinfo-config'],
      configChecksum({ color: 'green' }),
    );
    assert.equal(await target.haveDependenciesChanged(applied), true);
    assert.equal(await target.hasTargetChanged(applied), false);

    await setImage(namespace, 'podinfo', IMAGE_V2);
    assert.notEqual((await target.revision(canary)).specHash, initial.specHash);
    assert.equal(await target.hasTargetChanged(applied), true);
  });

  it('tracks only application configs: not opted-out ones, registry secrets or missing optional refs', async () => {
    const { namespace, canary } = await setup();
    await cluster.client.create<ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared', namespace, annotations: { 'flagger.app/config-tracking': 'disabled' } },
      data: { a: 'b' },
    });
    await cluster.client.create<Secret>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'registry', namespace },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') },
    });
    await cluster.client.modify<Deployment>(ref(namespace, 'podinfo'), d => {
      d.spec!.template.spec!.volumes!.push(
        { name: 'shared', configMap: { name: 'shared' } },
        { name: 'registry', secret: { secretName: 'registry' } },
        { name: 'maybe', configMap: { name: 'missing', optional: true } },
      );
      return true;
    });
    assert.deepEqual(Object.keys((await target.revision(canary)).trackedConfigs), [
      'configmap/podinfo-config',
      'secret/podinfo-secret',
    ]);
    await target.initialize(canary);
    const primary = await get(namespace, 'podinfo-primary');
    const volumes = primary.spec!.template.spec!.volumes!;
    assert.deepEqual(
      volumes.map(v => v.configMap?.name ?? v.secret?.secretName),
      ['podinfo-config-primary', 'shared', 'registry', 'missing'],
    );

    await cluster.client.modify<Deployment>(ref(namespace, 'podinfo'), d => {
      d.spec!.template.spec!.volumes!.push({ name: 'required', configMap: { name: 'absent' } });
      return true;
    });
    await assert.rejects(target.revision(canary), {
      message: `GetTargetConfigs failed: configmap absent.${namespace} get query error: get ConfigMap ${namespace}/absent: configmaps "absent" not found`,
    });
  });

  it('without config tracking, shares the configs with the primary and never reports them changed', async () => {
    const { namespace, canary } = await setup();
    const untracked = new DeploymentTarget(targetDeps(cluster.client, { enableConfigTracking: false }));
    assert.deepEqual((await untracked.revision(canary)).trackedConfigs, {});
    const stale: Canary = { ...canary, status: { trackedConfigs: { 'configmap/podinfo-config': 'old' } } };
    assert.equal(await untracked.haveDependenciesChanged(stale), false);
    await untracked.initialize(canary);
    const container = (await get(namespace, 'podinfo-primary')).spec!.template.spec!.containers[0]!;
    assert.equal(container.envFrom?.[0]?.configMapRef?.name, 'podinfo-config');
  });

  it('promotes the new image and configs to the primary with a new flagger-id', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    const before = await get(namespace, 'podinfo-primary');
    await setImage(namespace, 'podinfo', IMAGE_V2);
    await cluster.client.modify<ConfigMap>(
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'podinfo-config', namespace },
      cm => {
        cm.data = { color: 'green' };
        return true;
      },
    );
    await cluster.client.modify<Deployment>(ref(namespace, 'podinfo'), d => {
      d.metadata!.annotations = { owner: 'team-b', 'app.kubernetes.io/note': 'm' };
      d.spec!.replicas = 3;
      return true;
    });

    await target.promote(canary);
    const after = await get(namespace, 'podinfo-primary');
    assert.equal(image(before), IMAGE_V1);
    assert.equal(image(after), IMAGE_V2);
    assert.equal(after.spec!.replicas, 3, 'replicas follow the target without an autoscaler');
    const flaggerId = (d: Deployment) => d.spec!.template.metadata!.annotations!['flagger-id'];
    assert.notEqual(flaggerId(after), flaggerId(before));
    // Quirk Q12: promotion copies only the -include-label-prefix annotations.
    assert.deepEqual(after.metadata?.annotations, { 'app.kubernetes.io/note': 'm' });
    const config = await cluster.client.get<ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'podinfo-config-primary',
      namespace,
    });
    assert.deepEqual(config.data, { color: 'green' });
    await eventuallyReady(() => target.isPrimaryReady(canary), 'the promoted primary did not become ready');
  });

  it('scales the target to zero and back to the primary replicas', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    await target.scaleToZero(canary);
    assert.equal((await get(namespace, 'podinfo')).spec?.replicas, 0);
    // A canary without pods is never ready for an analysis: the scheduler scales it up again.
    assert.deepEqual(await target.isCanaryReady(canary), {
      ready: false,
      retriable: true,
      scaledToZero: true,
      message: `canary deployment podinfo.${namespace} not ready: scaled to zero`,
    });

    await target.scaleFromZero(canary);
    assert.equal((await get(namespace, 'podinfo')).spec?.replicas, 2);
    await eventuallyReady(() => target.isCanaryReady(canary), 'the target did not scale up');

    await target.scaleToZero(canary);
    await cluster.client.patch(ref(namespace, 'podinfo-primary'), 'merge', { spec: { replicas: 3 } });
    await target.finalize(canary);
    assert.equal(
      (await get(namespace, 'podinfo')).spec?.replicas,
      3,
      'finalize restores the primary replicas',
    );
  });

  it('does not let a primary scaled to zero look ready (quirk Q4 fixed)', async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    await cluster.client.patch(ref(namespace, 'podinfo-primary'), 'merge', { spec: { replicas: 0 } });
    await eventually(async () => {
      const readiness = await target.isPrimaryReady(canary);
      return (
        !readiness.ready &&
        readiness.message === `halt podinfo.${namespace} advancement: primary deployment is scaled to zero`
      );
    }, 'the scaled-to-zero guard did not fire');
  });

  it("migrates a status written by Flagger: unchanged while the primary runs the target's template", async () => {
    const { namespace, canary } = await setup();
    await target.initialize(canary);
    const fromFlagger: Canary = {
      ...canary,
      status: { lastAppliedSpec: '5c7f8d6b9d', lastPromotedSpec: '5c7f8d6b9d', trackedConfigs: {} },
    };
    await target.scaleToZero(canary);
    assert.equal(await target.hasTargetChanged(fromFlagger), false);

    await setImage(namespace, 'podinfo', IMAGE_V2);
    assert.equal(await target.hasTargetChanged(fromFlagger), true);
  });
});
