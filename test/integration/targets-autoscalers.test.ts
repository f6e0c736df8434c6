import { ScaledObject as KedaScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { Canary, CanaryAutoscalerRef } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import type { Deployment, HorizontalPodAutoscaler, KubeObject } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { DeploymentTarget } from '../../src/targets/deployment.ts';
import { HpaReconciler } from '../../src/targets/scalers/hpa.ts';
import {
  KedaReconciler,
  PAUSED_REPLICAS_ANNOTATION,
  type ScaledObject,
} from '../../src/targets/scalers/keda.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { useCluster } from '../harness/cluster.ts';
import { jsonLogSink } from '../harness/json-log.ts';
import { IMAGE_V1, createCanary, targetDeps } from './targets-fixtures.ts';

const kedaCrds = parseAllDocuments(
  readFileSync(new URL('../fixtures/crds/keda.yaml', import.meta.url), 'utf8'),
).map(document => document.toJS() as KubeObject);

describe('autoscaler reconcilers on a real control plane', () => {
  const cluster = useCluster();

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...kedaCrds]);
  });

  const hpaRef = (namespace: string, name: string) => ({
    apiVersion: 'autoscaling/v2beta2',
    kind: 'HorizontalPodAutoscaler',
    name,
    namespace,
  });
  const soRef = (namespace: string, name: string) => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    name,
    namespace,
  });
  /** Target deps whose logger keeps the messages it writes. */
  const loggingDeps = () => {
    const lines: Record<string, unknown>[] = [];
    const deps = { ...targetDeps(cluster.client), logger: createLogger({ destination: jsonLogSink(lines) }) };
    return { deps, messages: () => lines.map(line => line.msg) };
  };
  const deploymentRef = (namespace: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'podinfo',
    namespace,
  });

  /** A namespace with a podinfo Deployment and a Canary using the given autoscaler. */
  async function setup(autoscalerRef: CanaryAutoscalerRef): Promise<{ namespace: string; canary: Canary }> {
    const namespace = await cluster.namespace('scalers');
    await cluster.client.create<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'podinfo', namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'podinfo' } },
        template: {
          metadata: { labels: { app: 'podinfo' } },
          spec: { containers: [{ name: 'podinfo', image: IMAGE_V1 }] },
        },
      },
    });
    const canary = await createCanary(cluster.client, namespace, {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      autoscalerRef,
    });
    return { namespace, canary };
  }

  async function createHpa(namespace: string): Promise<HorizontalPodAutoscaler> {
    return cluster.client.create<HorizontalPodAutoscaler>({
      ...hpaRef(namespace, 'podinfo'),
      metadata: {
        name: 'podinfo',
        namespace,
        labels: { app: 'podinfo', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
        annotations: { 'app.kubernetes.io/note': 'n', owner: 'team-a' },
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      },
    });
  }

  it('copies an autoscaling/v2beta2 HPA to the primary and updates it only outside initialization', async () => {
    const { namespace, canary } = await setup({
      apiVersion: 'autoscaling/v2beta2',
      kind: 'HorizontalPodAutoscaler',
      name: 'podinfo',
      primaryScalerReplicas: { minReplicas: 3 },
    });
    const source = await createHpa(namespace);
    const { deps, messages } = loggingDeps();
    const reconciler = new HpaReconciler(deps);
    await reconciler.reconcilePrimaryScaler(canary, true);
    assert.deepEqual(messages(), [`HorizontalPodAutoscaler v2 podinfo-primary.${namespace} created`]);

    const primary = await cluster.client.get<HorizontalPodAutoscaler>(hpaRef(namespace, 'podinfo-primary'));
    assert.deepEqual(primary.spec.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'podinfo-primary',
    });
    assert.equal(primary.spec.minReplicas, 3, 'primaryScalerReplicas.minReplicas overrides');
    assert.equal(primary.spec.maxReplicas, 4);
    assert.deepEqual(primary.spec.metrics, source.spec.metrics);
    assert.deepEqual(primary.spec.behavior, source.spec.behavior);
    assert.deepEqual(primary.metadata!.labels, { app: 'podinfo' });
    // As Flagger's: the target's labels without Flux's, and no annotations at all.
    assert.equal(primary.metadata!.annotations, undefined);
    assert.equal(primary.metadata!.ownerReferences?.[0]?.uid, canary.metadata.uid);

    await cluster.client.modify<HorizontalPodAutoscaler>(hpaRef(namespace, 'podinfo'), hpa => {
      hpa.spec.maxReplicas = 6;
      hpa.spec.metrics = [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ];
      return true;
    });
    await reconciler.reconcilePrimaryScaler(canary, true);
    const unchanged = await cluster.client.get<HorizontalPodAutoscaler>(hpaRef(namespace, 'podinfo-primary'));
    assert.equal(unchanged.spec.maxReplicas, 4, 'initialization never updates');

    await reconciler.reconcilePrimaryScaler(canary, false);
    const updated = await cluster.client.get<HorizontalPodAutoscaler>(hpaRef(namespace, 'podinfo-primary'));
    assert.equal(updated.spec.maxReplicas, 6);
    assert.equal(updated.spec.minReplicas, 3);
    assert.equal(updated.spec.metrics?.[0]?.resource?.target.averageUtilization, 50);
    assert.equal(messages().at(-1), `HorizontalPodAutoscaler v2 podinfo-primary.${namespace} updated`);
    assert.deepEqual(updated.metadata!.labels, { app: 'podinfo' }, 'an update leaves the metadata alone');
    assert.equal(updated.metadata!.annotations, undefined);
  });

  it('falls back to autoscaling/v2beta2 when autoscalerRef names v2, which Kubernetes 1.20 does not serve', async () => {
    const { namespace, canary } = await setup({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      name: 'podinfo',
    });
    await createHpa(namespace);
    await new HpaReconciler(targetDeps(cluster.client)).reconcilePrimaryScaler(canary, true);
    const primary = await cluster.client.get<HorizontalPodAutoscaler>(hpaRef(namespace, 'podinfo-primary'));
    assert.equal(primary.spec.minReplicas, 2);
  });

  it("scales a Deployment up from zero to the HPA's minReplicas", async () => {
    const { namespace, canary } = await setup({
      apiVersion: 'autoscaling/v2beta2',
      kind: 'HorizontalPodAutoscaler',
      name: 'podinfo',
    });
    await cluster.client.create<HorizontalPodAutoscaler>({
      ...hpaRef(namespace, 'podinfo'),
      metadata: { name: 'podinfo', namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-missing' },
        minReplicas: 3,
        maxReplicas: 5,
      },
    });
    const target = new DeploymentTarget(targetDeps(cluster.client));
    await target.scaleToZero(canary);
    await target.scaleFromZero(canary);
    const deployment = await cluster.client.get<Deployment>(deploymentRef(namespace));
    assert.equal(deployment.spec!.replicas, 3);
  });

  it("leaves the primary's replicas to its autoscaler on promotion", async () => {
    const { namespace, canary } = await setup({
      apiVersion: 'autoscaling/v2beta2',
      kind: 'HorizontalPodAutoscaler',
      name: 'podinfo',
    });
    const target = new DeploymentTarget(targetDeps(cluster.client));
    await target.initialize(canary);
    const primaryRef = { ...deploymentRef(namespace), name: 'podinfo-primary' };
    await cluster.client.patch(primaryRef, 'merge', { spec: { replicas: 4 } });
    await cluster.client.patch(deploymentRef(namespace), 'merge', { spec: { replicas: 2 } });
    await target.promote(canary);
    assert.equal((await cluster.client.get<Deployment>(primaryRef)).spec!.replicas, 4);
  });

  it('copies a KEDA ScaledObject to the primary, pauses and resumes the target', async () => {
    const { namespace, canary } = await setup({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      name: 'podinfo-so',
      primaryScalerReplicas: { maxReplicas: 8 },
    });
    await cluster.client.create<ScaledObject>({
      ...soRef(namespace, 'podinfo-so'),
      metadata: {
        name: 'podinfo-so',
        namespace,
        labels: { app: 'podinfo', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
        annotations: {
          'scaledobject.keda.sh/transfer-hpa-ownership': 'true',
          'app.kubernetes.io/note': 'n',
          'kustomize.toolkit.fluxcd.io/checksum': 'x',
          // Left by an earlier canary: a primary created paused would stay at zero replicas.
          [PAUSED_REPLICAS_ANNOTATION]: '0',
        },
      },
      spec: {
        scaleTargetRef: { name: 'podinfo' },
        pollingInterval: 10,
        minReplicaCount: 2,
        maxReplicaCount: 5,
        advanced: { horizontalPodAutoscalerConfig: { name: 'podinfo-hpa' } },
        triggers: [
          {
            type: 'prometheus',
            name: 'requests',
            metadata: { query: 'sum(rate(http_requests_total{app="podinfo-canary"}[1m]))', threshold: '10' },
          },
        ],
      },
    });
    const { deps, messages } = loggingDeps();
    const reconciler = new KedaReconciler(deps);
    await reconciler.reconcilePrimaryScaler(canary, true);
    const primary = await cluster.client.get<ScaledObject>(soRef(namespace, 'podinfo-so-primary'));
    assert.deepEqual(primary.spec, {
      scaleTargetRef: { name: 'podinfo-primary' },
      pollingInterval: 10,
      minReplicaCount: 2,
      maxReplicaCount: 8,
      advanced: { horizontalPodAutoscalerConfig: { name: 'podinfo-hpa-primary' } },
      triggers: [
        {
          type: 'prometheus',
          name: 'requests',
          metadata: { query: 'sum(rate(http_requests_total{app="podinfo-primary"}[1m]))', threshold: '10' },
        },
      ],
    });
    // Valid for KEDA's own types (its CRD is not in shared/compat/crds: the stand-in stores anything).
    new KedaScaledObject(primary as unknown as ConstructorParameters<typeof KedaScaledObject>[0]).validate();
    assert.equal(primary.metadata!.ownerReferences?.[0]?.uid, canary.metadata.uid);
    assert.deepEqual(primary.metadata!.labels, { app: 'podinfo' });
    assert.deepEqual(primary.metadata!.annotations, {
      'scaledobject.keda.sh/transfer-hpa-ownership': 'true',
      'app.kubernetes.io/note': 'n',
    });

    // A spec change rewrites the primary with the -include-label-prefix ones of its own metadata, as Flagger does.
    await cluster.client.patch(soRef(namespace, 'podinfo-so'), 'merge', { spec: { pollingInterval: 20 } });
    await reconciler.reconcilePrimaryScaler(canary, false);
    const updated = await cluster.client.get<ScaledObject>(soRef(namespace, 'podinfo-so-primary'));
    assert.equal(updated.spec!.pollingInterval, 20);
    assert.deepEqual(updated.metadata!.labels ?? {}, {});
    assert.deepEqual(updated.metadata!.annotations, { 'app.kubernetes.io/note': 'n' });
    assert.deepEqual(
      messages(),
      [`Keda ScaledObject podinfo-so-primary.${namespace} created`],
      'no update line',
    );

    const pausedReplicas = async () =>
      (await cluster.client.get<ScaledObject>(soRef(namespace, 'podinfo-so'))).metadata!.annotations?.[
        PAUSED_REPLICAS_ANNOTATION
      ];
    await reconciler.resumeTargetScaler(canary);
    assert.equal(await pausedReplicas(), undefined);
    await reconciler.pauseTargetScaler(canary);
    assert.equal(await pausedReplicas(), '0');
    await reconciler.resumeTargetScaler(canary);
    assert.equal(await pausedReplicas(), undefined);

    const target = new DeploymentTarget(targetDeps(cluster.client));
    await target.scaleToZero(canary);
    await target.scaleFromZero(canary);
    const deployment = await cluster.client.get<Deployment>(deploymentRef(namespace));
    assert.equal(deployment.spec!.replicas, 2, "the ScaledObject's minReplicaCount");
  });
});
