import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryAnalysis } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { validateCanary } from '../../src/api/validate.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { KnativeRouter } from '../../src/routers/knative.ts';
import { createRouter } from '../../src/routers/registry.ts';
import { KnativeTarget, latestCreatedRevision } from '../../src/targets/knative.ts';
import type { KnativeService, Revision } from '../../src/targets/knative-service.ts';
import { createTarget } from '../../src/targets/registry.ts';
import { useCluster } from '../harness/cluster.ts';
import {
  createRevision,
  knativeRoutes,
  knativeService,
  knativeServiceRef,
  providerCrds,
  SERVING,
  setRevisionReady,
  split,
} from '../harness/router-fixtures.ts';
import { targetDeps } from './targets-fixtures.ts';

const ANNOTATION = 'flagger.app/primary-revision';

describe('Knative on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let router: KnativeRouter;
  let target: KnativeTarget;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('knative')]);
    router = new KnativeRouter({ kube: cluster.client, logger: silentLogger() });
    target = new KnativeTarget({ kube: cluster.client, logger: silentLogger() });
  });

  const getService = (canary: Canary) =>
    cluster.client.get<KnativeService>(knativeServiceRef(canary.metadata.namespace ?? ''));

  async function newCanary(
    analysis: Partial<CanaryAnalysis> = {},
    annotations?: Record<string, string>,
  ): Promise<Canary> {
    const namespace = await cluster.namespace('knative');
    await cluster.client.create(knativeService(namespace, 'ghcr.io/stefanprodan/podinfo:6.0.0', annotations));
    await createRevision(cluster.client, namespace, 'podinfo-00001');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        provider: 'knative',
        targetRef: { apiVersion: SERVING, kind: 'Service', name: 'podinfo' },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
      },
    });
  }

  it('is what the registries give for a Knative Service and the knative provider', () => {
    const canary: Canary = {
      metadata: { name: 'podinfo', namespace: 'test' },
      spec: {
        provider: 'knative',
        targetRef: { apiVersion: SERVING, kind: 'Service', name: 'podinfo' },
        analysis: { interval: '1m' },
      },
    };
    assert.ok(createTarget(canary, targetDeps(cluster.client)) instanceof KnativeTarget);
    const deps = {
      kube: cluster.client,
      logger: silentLogger(),
      labelKey: '',
      setOwnerRefs: true,
      ingressClass: '',
      ingressAnnotationsPrefix: '',
      includeLabelPrefix: [],
    };
    assert.ok(createRouter('knative', deps) instanceof KnativeRouter);
  });

  describe('target', () => {
    it('pins the current revision as the primary while initializing, with all the traffic', async () => {
      const canary = await newCanary();
      assert.deepEqual(await target.getMetadata(), { labelKey: '', labelValue: '', ports: [] });
      await target.initialize(canary);
      const service = await getService(canary);
      assert.equal(service.metadata?.annotations?.[ANNOTATION], 'podinfo-00001');
      assert.deepEqual(service.spec?.traffic, [
        { latestRevision: true, percent: 0 },
        { revisionName: 'podinfo-00001', percent: 100 },
      ]);
      assert.deepEqual(await target.isPrimaryReady(canary), { ready: true });

      // After initialization the Service is left alone.
      await createRevision(cluster.client, canary.metadata.namespace ?? '', 'podinfo-00002');
      const initialized = { ...canary, status: { phase: 'Initialized' as const } };
      const before = await getService(canary);
      await target.initialize(initialized);
      assert.equal((await getService(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);
    });

    it('waits for Knative before it pins anything', async () => {
      const namespace = await cluster.namespace('knative');
      await cluster.client.create<KnativeService>({
        apiVersion: SERVING,
        kind: 'Service',
        metadata: { name: 'podinfo', namespace },
        spec: {},
      });
      const canary = await cluster.client.create<Canary>({
        apiVersion: 'flagger.app/v1beta1',
        kind: 'Canary',
        metadata: { name: 'podinfo', namespace },
        spec: {
          provider: 'knative',
          targetRef: { apiVersion: SERVING, kind: 'Service', name: 'podinfo' },
          analysis: { interval: '1m', stepWeight: 10 },
        },
      });
      await assert.rejects(
        target.initialize(canary),
        /Knative Service podinfo\.knative-\w+ has no revision yet/,
      );
      assert.deepEqual(await target.isCanaryReady(canary), {
        ready: false,
        retriable: true,
        message: `Knative Service podinfo.${namespace} has no revision yet`,
      });
      assert.deepEqual(await target.isPrimaryReady(canary), {
        ready: false,
        retriable: true,
        message: `Knative Service podinfo.${namespace} primary revision annotation not found`,
      });
    });

    it('waits for revisions to be ready, retriably', async () => {
      const canary = await newCanary();
      const ns = canary.metadata.namespace ?? '';
      await target.initialize(canary);
      await createRevision(cluster.client, ns, 'podinfo-00002', false);
      assert.deepEqual(await target.isCanaryReady(canary), {
        ready: false,
        retriable: true,
        message: `Knative Revision podinfo-00002.${ns} is not ready`,
      });
      const revision = await cluster.client.get<Revision>({
        apiVersion: SERVING,
        kind: 'Revision',
        name: 'podinfo-00002',
        namespace: ns,
      });
      await setRevisionReady(cluster.client, revision, true);
      assert.deepEqual(await target.isCanaryReady(canary), { ready: true });

      await cluster.client.patch(knativeServiceRef(ns), 'merge', {
        metadata: { annotations: { [ANNOTATION]: 'gone' } },
      });
      const primary = await target.isPrimaryReady(canary);
      assert.ok(!primary.ready);
      assert.match(primary.message, /^Knative Revision gone\.knative-\w+ get query error: /);
    });

    it('sees a new revision as a change, and promotion pins it', async () => {
      const canary = await newCanary();
      const ns = canary.metadata.namespace ?? '';
      await target.initialize(canary);
      const first = await target.revision(canary);
      assert.deepEqual(first.trackedConfigs, {});
      const synced = {
        ...canary,
        status: {
          phase: 'Initialized' as const,
          lastAppliedSpec: first.specHash,
          lastPromotedSpec: first.specHash,
        },
      };
      assert.equal(await target.hasTargetChanged(synced), false);
      assert.equal(await target.haveDependenciesChanged(), false);

      await createRevision(cluster.client, ns, 'podinfo-00002');
      assert.equal(await target.hasTargetChanged(synced), true);
      assert.notEqual((await target.revision(canary)).specHash, first.specHash);
      assert.equal(await latestCreatedRevision(cluster.client, canary), 'podinfo-00002');

      await target.promote(canary);
      assert.equal((await getService(canary)).metadata?.annotations?.[ANNOTATION], 'podinfo-00002');
      await target.scaleToZero();
      await target.scaleFromZero();
      await target.finalize();
    });

    it('takes over a canary whose status Flagger wrote, when the latest revision is the primary', async () => {
      const canary = await newCanary();
      await target.initialize(canary);
      // Flagger's hashes are at most 10 characters long.
      const migrated = { ...canary, status: { phase: 'Succeeded' as const, lastAppliedSpec: '5d4b8f7c9' } };
      assert.equal(await target.hasTargetChanged(migrated), false);
      await createRevision(cluster.client, canary.metadata.namespace ?? '', 'podinfo-00002');
      assert.equal(await target.hasTargetChanged(migrated), true);
    });
  });

  describe('router', () => {
    it('pins the latest revision when none is pinned, and leaves a pinned one alone', async () => {
      const canary = await newCanary({}, { owner: 'team-a' });
      await router.reconcile(canary);
      assert.deepEqual((await getService(canary)).metadata?.annotations, {
        owner: 'team-a',
        [ANNOTATION]: 'podinfo-00001',
      });

      await createRevision(cluster.client, canary.metadata.namespace ?? '', 'podinfo-00002');
      const pinned = await getService(canary);
      await router.reconcile(canary);
      const after = await getService(canary);
      assert.equal(after.metadata?.annotations?.[ANNOTATION], 'podinfo-00001');
      assert.equal(after.metadata.resourceVersion, pinned.metadata?.resourceVersion);
    });

    it('splits spec.traffic and reads back what Knative routes', async () => {
      const canary = await newCanary();
      await assert.rejects(
        router.setRoutes(canary, split(90, 10)),
        /Knative Service podinfo\.\S+ annotation not found/,
      );
      await assert.rejects(router.getRoutes(canary), /Knative Service podinfo\.\S+ annotation not found/);

      await target.initialize(canary);
      await router.reconcile(canary);
      await knativeRoutes(cluster.client, canary.metadata.namespace ?? '');
      assert.deepEqual(await router.getRoutes(canary), split(100, 0));

      await createRevision(cluster.client, canary.metadata.namespace ?? '', 'podinfo-00002');
      assert.deepEqual(await router.setRoutes(canary, split(90, 10)), {});
      assert.deepEqual((await getService(canary)).spec?.traffic, [
        { latestRevision: true, percent: 10 },
        { revisionName: 'podinfo-00001', percent: 90 },
      ]);
      // Until Knative has routed the new split, the old one is what is reported.
      assert.deepEqual(await router.getRoutes(canary), split(100, 0));
      await knativeRoutes(cluster.client, canary.metadata.namespace ?? '');
      assert.deepEqual(await router.getRoutes(canary), split(90, 10));

      await router.setRoutes(canary, split(40, 60));
      await knativeRoutes(cluster.client, canary.metadata.namespace ?? '');
      assert.deepEqual(await router.getRoutes(canary), split(40, 60));

      // Promotion: the new revision is pinned and gets everything.
      await target.promote(canary);
      await router.setRoutes(canary, split(100, 0));
      await knativeRoutes(cluster.client, canary.metadata.namespace ?? '');
      assert.deepEqual(await router.getRoutes(canary), split(100, 0));
      assert.deepEqual((await getService(canary)).status?.traffic, [
        { revisionName: 'podinfo-00002', latestRevision: true, percent: 0 },
        { revisionName: 'podinfo-00002', latestRevision: false, percent: 100 },
      ]);
    });

    it('fails when Knative routes neither the latest nor the pinned revision', async () => {
      const canary = await newCanary();
      await target.initialize(canary);
      await assert.rejects(router.getRoutes(canary), /Knative Service podinfo\.\S+ traffic spec invalid/);
    });

    it('finalizes by unpinning the primary and handing routing back to Knative', async () => {
      const canary = await newCanary({}, { owner: 'team-a' });
      await target.initialize(canary);
      await router.finalize(canary);
      const reverted = await getService(canary);
      assert.deepEqual(reverted.metadata?.annotations, { owner: 'team-a' });
      assert.equal(reverted.spec?.traffic, undefined);
      assert.ok(reverted.spec?.template);

      // A split that is not Flagger's is the user's: only the annotation goes.
      const ns = canary.metadata.namespace ?? '';
      const userTraffic = [{ revisionName: 'podinfo-00001', percent: 100, tag: 'stable' }];
      await cluster.client.patch(knativeServiceRef(ns), 'merge', {
        metadata: { annotations: { [ANNOTATION]: 'podinfo-00001' } },
        spec: { traffic: userTraffic },
      });
      await router.finalize(canary);
      const kept = await getService(canary);
      assert.deepEqual(kept.spec?.traffic, userTraffic);
      assert.deepEqual(kept.metadata?.annotations, { owner: 'team-a' });

      // Nothing left to revert: no write.
      await router.finalize(canary);
      assert.equal((await getService(canary)).metadata?.resourceVersion, kept.metadata.resourceVersion);

      await cluster.client.delete(knativeServiceRef(ns));
      await router.finalize(canary);
    });
  });

  it('leaves A/B tests, mirroring and session affinity to validation, which rejects them', async () => {
    const fields = async (analysis: Partial<CanaryAnalysis>) =>
      validateCanary(await newCanary(analysis), { noCrossNamespaceRefs: false }).map(p => p.field);
    assert.deepEqual(await fields({}), []);
    assert.deepEqual(await fields({ iterations: 5, match: [{ headers: { x: { exact: 'y' } } }] }), [
      'spec.analysis.match',
    ]);
    assert.deepEqual(await fields({ iterations: 5, mirror: true }), ['spec.analysis.mirror']);
    assert.deepEqual(await fields({ sessionAffinity: { cookieName: 'canary' } }), [
      'spec.analysis.sessionAffinity',
    ]);
  });
});
