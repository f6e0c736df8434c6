// The App Mesh v1beta2 objects of provider `appmesh:v1beta2` as pure functions: the primary and canary
// VirtualNodes, the apex and canary VirtualRouters (whose first route carries the split) and the VirtualServices
// that point at them, and how the split is read back from the apex VirtualRouter.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeObject } from '../kube/types.ts';
import {
  APPMESH_GROUP,
  appMeshProtocol,
  appMeshRoutePrefix,
  headerMatches,
  isAbTest,
  retrySettings,
  timeoutMillis,
  type HeaderMatch,
} from './appmesh-common.ts';
import { requireService } from './service-spec.ts';
import type { Routes } from './types.ts';

export const APPMESH_V1BETA2 = `${APPMESH_GROUP}/v1beta2`;
/** Canary annotation that turns on the Envoy access log (to stdout) of both virtual nodes. */
export const ACCESS_LOG_ANNOTATION = 'appmesh.flagger.app/accesslog';

export interface Duration {
  unit: 'ms' | 's';
  value: number;
}

export interface PortMapping {
  port: number;
  protocol: 'grpc' | 'http' | 'http2' | 'tcp';
}

export interface HttpTimeout {
  perRequest?: Duration;
  idle?: Duration;
}

export interface VirtualNodeSpec {
  awsName?: string;
  podSelector?: { matchLabels?: Record<string, string> };
  listeners?: { portMapping: PortMapping; timeout?: { http?: HttpTimeout } }[];
  serviceDiscovery?: { dns?: { hostname: string } };
  backends?: {
    virtualService: { virtualServiceRef?: { name: string; namespace?: string }; virtualServiceARN?: string };
  }[];
  logging?: { accessLog?: { file?: { path: string } } };
  meshRef?: { name: string; uid: string };
}

export interface WeightedTarget {
  virtualNodeRef?: { name: string; namespace?: string };
  virtualNodeARN?: string;
  weight: number;
}

export interface HttpRoute {
  match: { prefix: string; headers?: HeaderMatch[] };
  action: { weightedTargets: WeightedTarget[] };
  retryPolicy?: { httpRetryEvents?: string[]; maxRetries: number; perRetryTimeout: Duration };
  timeout?: HttpTimeout;
}

export interface Route {
  name: string;
  httpRoute?: HttpRoute;
  priority?: number;
}

export interface VirtualRouterSpec {
  awsName?: string;
  listeners?: { portMapping: PortMapping }[];
  routes?: Route[];
  meshRef?: { name: string; uid: string };
}

export interface VirtualServiceSpec {
  awsName?: string;
  provider?: { virtualRouter?: { virtualRouterRef?: { name: string; namespace?: string } } };
  meshRef?: { name: string; uid: string };
}

export type VirtualNode = KubeObject & { spec?: VirtualNodeSpec };
export type VirtualRouter = KubeObject & { spec?: VirtualRouterSpec };
export type VirtualService = KubeObject & { spec?: VirtualServiceSpec };

/** The router's two roles: `apex` splits traffic, `canary` sends everything to the canary node. */
export type RouterRole = 'apex' | 'canary';

/** targetPort when it is a number above zero, else port: where the pods listen. */
export function containerPort(canary: Canary): number {
  const service = requireService(canary);
  return typeof service.targetPort === 'number' && service.targetPort > 0 ? service.targetPort : service.port;
}

/**
 * The VirtualNode `<svc>-primary` or `<svc>-canary`: it selects the pods whose `labelKey` label is
 * `<target>-primary` or `<target>`, listens on the container port and is found by the DNS name of the Service of
 * the same name. service.backends become virtual service backends (ARNs when they start with arn:aws).
 */
export function virtualNodeSpec(
  canary: Canary,
  role: 'primary' | 'canary',
  labelKey: string,
): VirtualNodeSpec {
  const service = requireService(canary);
  const name = serviceNames(canary.spec)[role];
  const target = canary.spec.targetRef.name;
  const timeout = httpTimeout(canary);
  const backends = (service.backends ?? []).map(backend => ({
    virtualService: backend.startsWith('arn:aws')
      ? { virtualServiceARN: backend }
      : { virtualServiceRef: { name: backend } },
  }));
  const accessLog = canary.metadata.annotations?.[ACCESS_LOG_ANNOTATION] === 'enabled';
  return {
    podSelector: { matchLabels: { [labelKey]: role === 'primary' ? `${target}-primary` : target } },
    listeners: [
      {
        portMapping: { port: containerPort(canary), protocol: appMeshProtocol(canary) },
        ...(timeout ? { timeout: { http: timeout } } : {}),
      },
    ],
    serviceDiscovery: {
      dns: { hostname: `${name}.${canary.metadata.namespace ?? ''}.svc.cluster.local.` },
    },
    ...(backends.length > 0 ? { backends } : {}),
    ...(accessLog ? { logging: { accessLog: { file: { path: '/dev/stdout' } } } } : {}),
  };
}

/**
 * The VirtualRouter `<svc>` (role apex, the split in `routes`) or `<svc>-canary` (everything to the canary node).
 * For A/B tests the apex router has two routes: `<svc>-a` (priority 10) matches the analysis headers and carries
 * the split, `<svc>-b` (priority 20) sends the rest to the primary.
 */
export function virtualRouterSpec(canary: Canary, role: RouterRole, routes: Routes): VirtualRouterSpec {
  const names = serviceNames(canary.spec);
  const prefix = appMeshRoutePrefix(canary);
  const weights = role === 'canary' ? { primaryWeight: 0, canaryWeight: 100 } : routes;
  const route = (match: HttpRoute['match'], targets: WeightedTarget[]): HttpRoute => {
    const retry = retrySettings(canary);
    const timeout = httpTimeout(canary);
    return {
      match,
      action: { weightedTargets: targets },
      ...(retry
        ? {
            retryPolicy: {
              httpRetryEvents: retry.events,
              maxRetries: retry.attempts,
              perRetryTimeout: { unit: 'ms', value: retry.perTryTimeoutMs },
            },
          }
        : {}),
      ...(timeout ? { timeout } : {}),
    };
  };
  const split = splitTargets(canary, weights);
  const ab = role === 'apex' && isAbTest(canary);
  return {
    listeners: [{ portMapping: { port: containerPort(canary), protocol: appMeshProtocol(canary) } }],
    routes: ab
      ? [
          {
            name: `${names.apex}-a`,
            priority: 10,
            httpRoute: route({ prefix, headers: headerMatches(canary) }, split),
          },
          {
            name: `${names.apex}-b`,
            priority: 20,
            httpRoute: route({ prefix }, [{ virtualNodeRef: { name: names.primary }, weight: 100 }]),
          },
        ]
      : [{ name: role === 'apex' ? names.apex : names.canary, httpRoute: route({ prefix }, split) }],
  };
}

/** The weighted targets of a split: the canary node first, as Flagger writes them. */
export function splitTargets(
  canary: Canary,
  routes: Pick<Routes, 'primaryWeight' | 'canaryWeight'>,
): WeightedTarget[] {
  const names = serviceNames(canary.spec);
  return [
    { virtualNodeRef: { name: names.canary }, weight: routes.canaryWeight },
    { virtualNodeRef: { name: names.primary }, weight: routes.primaryWeight },
  ];
}

/** The VirtualService that hands the name's traffic to the VirtualRouter of the same name. */
export function virtualServiceSpec(routerName: string): VirtualServiceSpec {
  return { provider: { virtualRouter: { virtualRouterRef: { name: routerName } } } };
}

/**
 * The split of the apex router's first route, or why it cannot be read (Flagger's messages). As in Flagger the
 * canary weight is what the canary node gets, not 100 minus the primary's.
 */
export function readVirtualRouter(
  canary: Canary,
  spec: VirtualRouterSpec | undefined,
): { routes: Routes } | { problem: string } {
  const names = serviceNames(canary.spec);
  const targets = spec?.routes?.[0]?.httpRoute?.action.weightedTargets ?? [];
  if (targets.length !== 2) return { problem: `VirtualRouter routes ${names.apex} not found` };
  const weight = (name: string) => targets.find(target => target.virtualNodeRef?.name === name)?.weight ?? 0;
  const primaryWeight = weight(names.primary);
  const canaryWeight = weight(names.canary);
  if (primaryWeight === 0 && canaryWeight === 0) {
    return {
      problem: `VirtualRouter ${names.apex} does not contain routes for ${names.primary} and ${names.canary}`,
    };
  }
  return { routes: { primaryWeight, canaryWeight, mirrored: false } };
}

function httpTimeout(canary: Canary): HttpTimeout | undefined {
  const ms = timeoutMillis(canary);
  return ms === undefined ? undefined : { perRequest: { unit: 'ms', value: ms } };
}
