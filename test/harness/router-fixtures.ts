// What the router tests (routers-*.test.ts) and the end-to-end provider tests (controller-providers-*.test.ts)
// share: the providers' CRDs, the objects of the user that a Canary refers to (ingressRef, routeRef, upstreamRef,
// gatewayRefs), and what the providers' own controllers would write (Gateway API parent status, Knative
// revisions and routes), since none of them runs on the test control plane.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject, ObjectRef, Service } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { waitFor } from '../../src/playground/process.ts';
import type { ApisixRoute } from '../../src/routers/apisix.ts';
import type { Ingress, IngressSpec } from '../../src/routers/canary-ingress.ts';
import type { HttpRoute, RouteCondition } from '../../src/routers/gateway-api-types.ts';
import type { Upstream } from '../../src/routers/gloo-upstreams.ts';
import type { Routes } from '../../src/routers/types.ts';
import type { KnativeService, Revision, TrafficTarget } from '../../src/targets/knative-service.ts';
import { UPSTREAM_CRD_SETS, forKubernetes120, type UpstreamCrdSet } from './upstream-crds.ts';

/** Projects with no upstream CRD in shared/compat/crds: schemaless stand-ins in test/fixtures/crds/<name>.yaml. */
export type StandInCrdSet = 'knative' | 'traefik';

/**
 * The CRDs a router test installs: the upstream ones (test/harness/upstream-crds.ts) as Kubernetes 1.20 takes
 * them, or a stand-in (test/fixtures/crds/README.md says which and why).
 */
export function providerCrds(set: UpstreamCrdSet | StandInCrdSet): KubeObject[] {
  if (set !== 'knative' && set !== 'traefik') return UPSTREAM_CRD_SETS[set]().map(forKubernetes120);
  const text = readFileSync(new URL(`../fixtures/crds/${set}.yaml`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map(document => document.toJS() as KubeObject);
}

/**
 * Installs `crds` in place of the CRDs of the same names, which are deleted with their objects first: App Mesh's
 * legacy controller and its current one define the same CRDs, so a cluster has one set or the other.
 */
export async function replaceCrds(kube: KubeClient, crds: KubeObject[]): Promise<void> {
  const refs = crds.map(crd => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: crd.metadata?.name ?? '',
  }));
  for (const ref of refs) await kube.delete(ref);
  await waitFor(
    async () => (await Promise.all(refs.map(ref => kube.tryGet(ref)))).every(crd => crd === undefined),
    60_000,
    `CRDs ${refs.map(ref => ref.name).join(', ')} were not deleted`,
  );
  await installCrds(kube, crds);
}

export function split(primaryWeight: number, canaryWeight: number, mirrored = false): Routes {
  return { primaryWeight, canaryWeight, mirrored };
}

/** The user's own apex Service in front of podinfo's pods, which Flagger takes over. */
export const userApexService = (namespace: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'podinfo', namespace },
  spec: { selector: { app: 'podinfo' }, ports: [{ name: 'http', port: 9898 }] },
});

// Ingress (nginx, skipper): the user's Ingress `web` sends `/` to the apex Service and `/docs` elsewhere.
export const ingressPath = (path: string, service: string) => ({
  path,
  pathType: 'Prefix',
  backend: { service: { name: service, port: { number: 80 } } },
});
export const userIngressSpec = (): IngressSpec => ({
  ingressClassName: 'public',
  tls: [{ hosts: ['app.example.com'], secretName: 'app-tls' }],
  rules: [
    {
      host: 'app.example.com',
      http: { paths: [ingressPath('/', 'podinfo'), ingressPath('/docs', 'docs')] },
    },
  ],
});
export const userIngress = (namespace: string, annotations: Record<string, string> = {}): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace, labels: { app: 'web' }, annotations },
  spec: userIngressSpec(),
});
export const INGRESS_REF = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' } as const;

// APISIX: the user's route `app` whose single backend is the apex Service.
export const userApisixRoute = (namespace: string, port = 80): ApisixRoute => ({
  apiVersion: 'apisix.apache.org/v2',
  kind: 'ApisixRoute',
  metadata: { name: 'app', namespace, labels: { team: 'web' }, annotations: { note: 'original' } },
  spec: {
    http: [
      {
        name: 'main',
        match: { hosts: ['app.example.com'], paths: ['/*'] },
        backends: [{ serviceName: 'podinfo', servicePort: port }],
      },
    ],
  },
});
export const APISIX_ROUTE_REF = {
  apiVersion: 'apisix.apache.org/v2',
  kind: 'ApisixRoute',
  name: 'app',
} as const;

// Gloo: the Upstream `config` whose settings the generated Upstreams copy.
export const GLOO_SLOW_START = {
  roundRobin: { slowStartConfig: { slowStartWindow: '10s', aggression: 1.5 } },
};
export const glooUpstreamConfig = (namespace: string): Upstream => ({
  apiVersion: 'gloo.solo.io/v1',
  kind: 'Upstream',
  metadata: { name: 'config', namespace },
  spec: { loadBalancerConfig: GLOO_SLOW_START, connectionConfig: { maxRequestsPerConnection: 10 } },
});
export const GLOO_UPSTREAM_REF = { apiVersion: 'gloo.solo.io/v1', kind: 'Upstream', name: 'config' } as const;

// Gateway API: the Gateway `infra/gw` every HTTPRoute attaches to.
export const GATEWAY_PARENT = {
  group: 'gateway.networking.k8s.io',
  kind: 'Gateway',
  name: 'gw',
  namespace: 'infra',
};
export const GATEWAY_REFS = [{ name: 'gw', namespace: 'infra' }];

/** Writes the Gateway's condition about an HTTPRoute into its status, as the Gateway's controller does. */
export async function setRouteAccepted(
  kube: KubeClient,
  ref: ObjectRef,
  condition: Omit<RouteCondition, 'type'>,
): Promise<void> {
  await kube.modify<HttpRoute>(
    ref,
    route => {
      // What Gateway API requires of a parent's status besides the condition's type and status.
      const required = {
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        reason: condition.status === 'True' ? 'Accepted' : 'NotAllowedByListeners',
        message: 'set by the test',
      };
      const parent = {
        parentRef: GATEWAY_PARENT,
        controllerName: 'example.com/gateway-controller',
        conditions: [{ type: 'Accepted', ...required, ...condition }],
      };
      route.status = { parents: [parent] };
      return true;
    },
    { status: true },
  );
}

/** The Gateway's controller: accepts the current generation of the route (no write when it already has). */
export async function acceptRoute(kube: KubeClient, route: HttpRoute): Promise<void> {
  const generation = route.metadata?.generation ?? 0;
  const accepted = route.status?.parents?.[0]?.conditions?.find(c => c.type === 'Accepted');
  if (accepted?.status === 'True' && accepted.observedGeneration === generation) return;
  await setRouteAccepted(kube, objectRef(route), { status: 'True', observedGeneration: generation });
}

// Knative: Services, the revisions its configuration controller creates and the traffic its route controller
// reports.
export const SERVING = 'serving.knative.dev/v1';
export const knativeServiceRef = (namespace: string, name = 'podinfo'): ObjectRef => ({
  apiVersion: SERVING,
  kind: 'Service',
  name,
  namespace,
});
export const knativeService = (namespace: string, image: string, annotations?: Record<string, string>) =>
  ({
    apiVersion: SERVING,
    kind: 'Service',
    metadata: { name: 'podinfo', namespace, ...(annotations ? { annotations } : {}) },
    spec: { template: { spec: { containers: [{ image }] } } },
  }) satisfies KnativeService;

/** A revision, ready or not, which becomes the Service's latest created revision. */
export async function createRevision(
  kube: KubeClient,
  namespace: string,
  name: string,
  ready = true,
  image = 'ghcr.io/stefanprodan/podinfo:6.0.0',
): Promise<void> {
  const revision = await kube.create<Revision>({
    apiVersion: SERVING,
    kind: 'Revision',
    metadata: { name, namespace },
    spec: { containers: [{ image }] },
  } as Revision);
  await setRevisionReady(kube, revision, ready);
  await kube.modify<KnativeService>(
    knativeServiceRef(namespace),
    service => {
      service.status = { ...service.status, latestCreatedRevisionName: name };
      return true;
    },
    { status: true },
  );
}

export async function setRevisionReady(kube: KubeClient, revision: Revision, ready: boolean): Promise<void> {
  await kube.modify<Revision>(
    objectRef(revision),
    current => {
      current.status = {
        observedGeneration: current.metadata?.generation ?? 1,
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }],
      };
      return true;
    },
    { status: true },
  );
}

/** Knative's route controller: status.traffic is spec.traffic with the latest revision resolved by name. */
export async function knativeRoutes(kube: KubeClient, namespace: string): Promise<void> {
  await kube.modify<KnativeService>(
    knativeServiceRef(namespace),
    service => {
      const latest = service.status?.latestCreatedRevisionName;
      const traffic: TrafficTarget[] = (service.spec?.traffic ?? []).map(t =>
        t.latestRevision === true
          ? { revisionName: latest, latestRevision: true, percent: t.percent }
          : { revisionName: t.revisionName, latestRevision: false, percent: t.percent },
      );
      if (JSON.stringify(traffic) === JSON.stringify(service.status?.traffic ?? [])) return false;
      service.status = { ...service.status, traffic };
      return true;
    },
    { status: true },
  );
}

/**
 * Knative's controllers for the Service podinfo: a new ready revision `podinfo-<n>` (five digits) for each new
 * template, which is what a release is, then the routes.
 */
export async function reconcileKnative(kube: KubeClient, namespace: string): Promise<void> {
  const service = await kube.get<KnativeService>(knativeServiceRef(namespace));
  const image = (service.spec?.template as RevisionSpec | undefined)?.spec?.containers?.[0]?.image;
  const latest = service.status?.latestCreatedRevisionName;
  const current = latest
    ? await kube.get<Revision & RevisionSpec>({
        apiVersion: SERVING,
        kind: 'Revision',
        name: latest,
        namespace,
      })
    : undefined;
  if (current?.spec?.containers?.[0]?.image !== image) {
    const next = Number(latest?.slice(-5) ?? '0') + 1;
    await createRevision(kube, namespace, `podinfo-${String(next).padStart(5, '0')}`, true, image);
  }
  await knativeRoutes(kube, namespace);
}

/** The part of a revision (or a Service's template) that says what it runs. */
export interface RevisionSpec {
  spec?: { containers?: { image?: string }[] };
}

export function objectRef(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    name: object.metadata?.name ?? '',
    namespace: object.metadata?.namespace,
  };
}
