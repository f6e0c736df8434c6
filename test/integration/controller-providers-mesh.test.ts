import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import type { VirtualService as AppMeshV1beta1Service } from '../../src/routers/appmesh-v1beta1-objects.ts';
import type { VirtualRouter } from '../../src/routers/appmesh-v1beta2-objects.ts';
import type { VirtualService, VirtualServiceSpec } from '../../src/routers/istio-types.ts';
import type { TrafficRoute } from '../../src/routers/kuma.ts';
import type { TrafficSplitSpec } from '../../src/routers/smi.ts';
import { useCluster } from '../harness/cluster.ts';
import { useController } from '../harness/controller.ts';
import {
  assertTargetRestored,
  CANARY_STEPS,
  IMAGE_V2,
  releaseThrough,
  type ProviderCase,
} from '../harness/provider-release.ts';
import { providerCrds, replaceCrds, userApexService } from '../harness/router-fixtures.ts';

const trafficSplit = (provider: ProviderCase['provider'], version: string): ProviderCase => ({
  provider,
  object: { apiVersion: `split.smi-spec.io/${version}`, kind: 'TrafficSplit', name: () => 'podinfo' },
  read: split =>
    (split as KubeObject & { spec?: TrafficSplitSpec }).spec?.backends
      ?.filter(backend => backend.service === 'podinfo-canary')
      .map(backend => Number(backend.weight))[0],
});

/** The user's VirtualService and apex Service, which Flagger takes over. */
const USER_VIRTUAL_SERVICE: VirtualServiceSpec = {
  hosts: ['podinfo.example.com'],
  http: [{ route: [{ destination: { host: 'podinfo' } }] }],
};
const istio: ProviderCase = {
  provider: 'istio',
  object: { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: () => 'podinfo' },
  read: vs =>
    (vs as VirtualService).spec?.http?.[0]?.route?.find(r => r.destination.host === 'podinfo-canary')?.weight,
  userObjects: namespace => [
    userApexService(namespace),
    {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'podinfo', namespace },
      spec: USER_VIRTUAL_SERVICE,
    } as VirtualService,
  ],
};

/** The legacy App Mesh API, whose CRDs take the names of the current ones: it runs after the others. */
const appMeshV1beta1: ProviderCase = {
  provider: 'appmesh',
  object: { apiVersion: 'appmesh.k8s.aws/v1beta1', kind: 'VirtualService', name: ns => `podinfo.${ns}` },
  // The canary's target is left out while it gets nothing.
  read: vs =>
    (vs as AppMeshV1beta1Service).spec?.routes?.[0]?.http?.action.weightedTargets.find(
      target => target.virtualNodeName === 'podinfo-canary',
    )?.weight ?? 0,
  spec: { service: { port: 9898, meshName: 'global' } },
};

const cases: ProviderCase[] = [
  trafficSplit('linkerd', 'v1alpha1'),
  trafficSplit('smi:v1alpha3', 'v1alpha3'),
  trafficSplit('osm', 'v1alpha2'),
  {
    provider: 'kuma',
    object: {
      apiVersion: 'kuma.io/v1alpha1',
      kind: 'TrafficRoute',
      name: () => 'podinfo',
      namespaced: false,
    },
    read: (route, namespace) =>
      (route as TrafficRoute).spec?.conf.split.find(
        entry => entry.destination['kuma.io/service'] === `podinfo-canary_${namespace}_svc_9898`,
      )?.weight,
  },
  {
    provider: 'appmesh:v1beta2',
    object: { apiVersion: 'appmesh.k8s.aws/v1beta2', kind: 'VirtualRouter', name: () => 'podinfo' },
    read: router =>
      (router as VirtualRouter).spec?.routes?.[0]?.httpRoute?.action.weightedTargets.find(
        target => target.virtualNodeRef?.name === 'podinfo-canary',
      )?.weight,
  },
];

describe('service meshes end to end', () => {
  const cluster = useCluster();
  useController(cluster);

  function itReleases(kase: ProviderCase): void {
    it(`${kase.provider}: ${CANARY_STEPS.join(' → ')}, then Succeeded on the new image`, async () => {
      const release = await releaseThrough(cluster, kase);
      assert.deepEqual(release.recorded, CANARY_STEPS);
      assert.equal(release.primaryImage, IMAGE_V2);
    });
  }

  describe('the controller moves the weights of every router', { concurrency: 3 }, () => {
    before(async () => {
      await installCrds(cluster.client, (['smi', 'kuma', 'appmesh'] as const).flatMap(providerCrds));
    });

    for (const kase of cases) itReleases(kase);

    it('istio: takes over the VirtualService and apex Service, releases, and restores both on deletion', async () => {
      const release = await releaseThrough(cluster, istio, { revertOnDeletion: true });
      assert.deepEqual(release.recorded, CANARY_STEPS);
      const ref = { namespace: release.namespace, name: 'podinfo' };
      const vs = await cluster.client.get<VirtualService>({
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'VirtualService',
        ...ref,
      });
      assert.deepEqual(vs.spec, USER_VIRTUAL_SERVICE);
      assert.equal(release.primaryImage, IMAGE_V2);
      await assertTargetRestored(cluster.client, release.namespace);
    });
  });

  // After the others: the legacy controller's CRDs take the names of the current ones.
  describe('the legacy App Mesh API, with its own CRDs in place of the current ones', () => {
    before(async () => {
      await replaceCrds(cluster.client, providerCrds('appmesh-v1beta1'));
    });

    itReleases(appMeshV1beta1);
  });
});
