import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import type { ApisixRoute } from '../../src/routers/apisix.ts';
import type { HttpProxy } from '../../src/routers/contour-proxy.ts';
import type { RouteTableSpec } from '../../src/routers/gloo.ts';
import type { TraefikServiceSpec } from '../../src/routers/traefik.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { useController } from '../harness/controller.ts';
import {
  assertTargetRestored,
  CANARY_STEPS,
  IMAGE_V2,
  releaseThrough,
  type ProviderCase,
} from '../harness/provider-release.ts';
import {
  APISIX_ROUTE_REF,
  GLOO_UPSTREAM_REF,
  glooUpstreamConfig,
  INGRESS_REF,
  objectRef,
  providerCrds,
  userApexService,
  userApisixRoute,
  userIngress,
} from '../harness/router-fixtures.ts';

const NGINX = 'nginx.ingress.kubernetes.io';
const canaryIngress = { ...INGRESS_REF, name: () => 'web-canary' };
const annotation = (object: KubeObject, key: string) => object.metadata?.annotations?.[key];

type WithSpec = KubeObject & { spec?: unknown };
/** A provider that works from an object of the user, its source, created first with the user's apex Service. */
type FromSource = ProviderCase & { source(namespace: string): WithSpec };

const fromUserObject: FromSource[] = [
  {
    provider: 'nginx',
    object: canaryIngress,
    // The canary Ingress is switched off while it gets nothing.
    read: ingress =>
      annotation(ingress, `${NGINX}/canary`) === 'true'
        ? Number(annotation(ingress, `${NGINX}/canary-weight`))
        : 0,
    spec: { ingressRef: INGRESS_REF },
    source: namespace => userIngress(namespace),
  },
  {
    provider: 'skipper',
    object: canaryIngress,
    read: ingress =>
      (JSON.parse(annotation(ingress, 'zalando.org/backend-weights') ?? '{}') as Record<string, number>)[
        'podinfo-canary'
      ],
    spec: { ingressRef: INGRESS_REF },
    source: namespace => userIngress(namespace),
  },
  {
    provider: 'apisix',
    object: { ...APISIX_ROUTE_REF, name: () => 'app-podinfo-canary' },
    read: route =>
      (route as ApisixRoute).spec?.http?.[0]?.backends?.find(b => b.serviceName === 'podinfo-canary')?.weight,
    spec: { routeRef: APISIX_ROUTE_REF },
    source: namespace => userApisixRoute(namespace, 9898),
  },
  {
    provider: 'gloo',
    object: { apiVersion: 'gateway.solo.io/v1', kind: 'RouteTable', name: () => 'podinfo' },
    // A destination without a weight gets nothing.
    read: table =>
      (table as KubeObject & { spec?: RouteTableSpec }).spec?.routes[0]?.routeAction.multi.destinations.find(
        d => d.destination.upstream.name.includes('-podinfo-canaryupstream-'),
      )?.weight ?? 0,
    spec: { upstreamRef: GLOO_UPSTREAM_REF },
    source: namespace => glooUpstreamConfig(namespace),
  },
];

const generated: ProviderCase[] = [
  {
    provider: 'contour',
    object: { apiVersion: 'projectcontour.io/v1', kind: 'HTTPProxy', name: () => 'podinfo' },
    read: proxy =>
      (proxy as HttpProxy).spec?.routes?.[0]?.services?.find(s => s.name === 'podinfo-canary')?.weight ?? 0,
  },
  {
    provider: 'traefik',
    object: { apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService', name: () => 'podinfo' },
    // The canary is listed only while it gets traffic.
    read: service =>
      (service as KubeObject & { spec?: TraefikServiceSpec }).spec?.weighted?.services?.find(
        s => s.name === 'podinfo-canary',
      )?.weight ?? 0,
  },
];

describe(
  'ingress controllers end to end: the controller moves the weights of every router',
  { concurrency: 3 },
  () => {
    const cluster = useCluster();
    useController(cluster);
    before(async () => {
      await installCrds(
        cluster.client,
        (['apisix', 'gloo', 'contour', 'traefik'] as const).flatMap(providerCrds),
      );
    });

    for (const kase of generated) {
      it(`${kase.provider}: ${CANARY_STEPS.join(' → ')}, then Succeeded on the new image`, async () => {
        const release = await releaseThrough(cluster, kase);
        assert.deepEqual(release.recorded, CANARY_STEPS);
        assert.equal(release.primaryImage, IMAGE_V2);
      });
    }

    for (const kase of fromUserObject) {
      it(`${kase.provider}: ${CANARY_STEPS.join(' → ')}, then, with revertOnDeletion, the user's objects are back`, async () => {
        const userObjects = (namespace: string) => [userApexService(namespace), kase.source(namespace)];
        const release = await releaseThrough(cluster, { ...kase, userObjects }, { revertOnDeletion: true });
        assert.deepEqual(release.recorded, CANARY_STEPS);
        const { namespace } = release;
        assert.equal(release.primaryImage, IMAGE_V2);
        await assertTargetRestored(cluster.client, namespace);
        // The user's object is the router's source, never changed; what Flagger made from it goes away.
        const source = kase.source(namespace);
        const stored = await cluster.client.get<WithSpec>(objectRef(source));
        assert.deepEqual(stored.metadata?.annotations ?? {}, source.metadata?.annotations ?? {});
        assert.deepEqual(stored.spec, source.spec);
        const made = { ...kase.object, name: kase.object.name(namespace), namespace };
        await eventually(async () => (await cluster.client.tryGet(made)) === undefined, `${made.name} left`);
      });
    }
  },
);
