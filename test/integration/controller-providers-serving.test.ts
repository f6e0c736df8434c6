import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Service } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import type { HttpRoute } from '../../src/routers/gateway-api-types.ts';
import type { KnativeService } from '../../src/targets/knative-service.ts';
import { useCluster } from '../harness/cluster.ts';
import { canaryEvents, useController } from '../harness/controller.ts';
import {
  assertTargetRestored,
  CANARY_STEPS,
  IMAGE_V2,
  releaseThrough,
  type ProviderCase,
} from '../harness/provider-release.ts';
import {
  acceptRoute,
  GATEWAY_REFS,
  knativeServiceRef,
  providerCrds,
  reconcileKnative,
  SERVING,
  userApexService,
} from '../harness/router-fixtures.ts';

const httpRoute = (provider: ProviderCase['provider'], apiVersion: string): ProviderCase => ({
  provider,
  object: { apiVersion, kind: 'HTTPRoute', name: () => 'podinfo' },
  read: route =>
    (route as HttpRoute).spec?.rules?.[0]?.backendRefs?.find(ref => ref.name === 'podinfo-canary')?.weight,
  spec: { service: { port: 9898, gatewayRefs: GATEWAY_REFS } },
  // The v1 router waits until the Gateway has accepted each change of the route.
  fake: { apiVersion, kind: 'HTTPRoute', reconcile: (kube, route) => acceptRoute(kube, route) },
});

const knative: ProviderCase = {
  provider: 'knative',
  knative: true,
  object: { apiVersion: SERVING, kind: 'Service', name: () => 'podinfo' },
  read: service =>
    (service as KnativeService).spec?.traffic?.find(target => target.latestRevision === true)?.percent,
  fake: {
    apiVersion: SERVING,
    kind: 'Service',
    reconcile: (kube, service) => reconcileKnative(kube, service.metadata?.namespace ?? ''),
  },
};

/** Blue/green without a router of its own: the apex Service, which the user had, keeps selecting the primary. */
const kubernetes: ProviderCase = {
  provider: 'kubernetes',
  object: { apiVersion: 'v1', kind: 'Service', name: () => 'podinfo' },
  read: service => (service as Service).spec?.selector?.app,
  userObjects: namespace => [userApexService(namespace)],
};

describe('Gateway API, Knative and Kubernetes end to end through the controller', { concurrency: 3 }, () => {
  const cluster = useCluster();
  useController(cluster);
  before(async () => {
    await installCrds(cluster.client, (['gatewayapi', 'knative'] as const).flatMap(providerCrds));
  });

  for (const kase of [
    httpRoute('gatewayapi:v1', 'gateway.networking.k8s.io/v1'),
    httpRoute('gatewayapi:v1beta1', 'gateway.networking.k8s.io/v1beta1'),
  ]) {
    it(`${kase.provider}: ${CANARY_STEPS.join(' → ')}, then Succeeded on the new image`, async () => {
      const release = await releaseThrough(cluster, kase);
      assert.deepEqual(release.recorded, CANARY_STEPS);
      assert.equal(release.primaryImage, IMAGE_V2);
    });
  }

  it(`knative: ${CANARY_STEPS.join(' → ')} between revisions, then the Service is handed back to Knative`, async () => {
    const release = await releaseThrough(cluster, knative, { revertOnDeletion: true });
    assert.deepEqual(release.recorded, CANARY_STEPS);
    assert.equal(release.primaryImage, IMAGE_V2);
    const service = await cluster.client.get<KnativeService>(knativeServiceRef(release.namespace));
    assert.equal(service.metadata?.annotations?.['flagger.app/primary-revision'], undefined);
    assert.equal(service.spec?.traffic, undefined);
  });

  it('kubernetes: blue/green iterations with the apex Service on the primary, restored on deletion', async () => {
    const release = await releaseThrough(cluster, kubernetes, {
      revertOnDeletion: true,
      analysis: { stepWeight: undefined, maxWeight: undefined, iterations: 2 },
    });
    assert.deepEqual(release.recorded, ['podinfo', 'podinfo-primary']);
    const events = await canaryEvents(cluster, release.namespace);
    assert.ok(
      events.includes(`Advance podinfo.${release.namespace} canary iteration 2/2`),
      events.join('\n'),
    );
    assert.ok(!events.some(e => e.includes('canary weight')));
    assert.equal(release.primaryImage, IMAGE_V2);
    await assertTargetRestored(cluster.client, release.namespace);
  });
});
