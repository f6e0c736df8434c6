// The App Mesh v1beta1 objects of provider `appmesh` as pure functions: three VirtualNodes (`<svc>`,
// `<svc>-primary`, `<svc>-canary`) in the mesh named by service.meshName, and the VirtualServices `<svc>.<ns>`
// (the split) and `<svc>-canary.<ns>` (all to the canary), each with its virtual router and routes inline.
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
  type HeaderMatch,
} from './appmesh-common.ts';
import { requireService } from './service-spec.ts';
import type { Routes } from './types.ts';

export const APPMESH_V1BETA1 = `${APPMESH_GROUP}/v1beta1`;

export interface PortMapping {
  port: number;
  protocol: 'grpc' | 'http';
}

export interface VirtualNodeSpec {
  meshName: string;
  listeners?: { portMapping: PortMapping }[];
  serviceDiscovery?: { dns?: { hostName: string } };
  backends?: { virtualService: { virtualServiceName: string } }[];
}

export interface WeightedTarget {
  virtualNodeName: string;
  weight: number;
}

export interface HttpRoute {
  match: { prefix: string; headers?: HeaderMatch[] };
  retryPolicy?: { perRetryTimeoutMillis?: number; maxRetries?: number; httpRetryEvents?: string[] };
  action: { weightedTargets: WeightedTarget[] };
}

export interface Route {
  name: string;
  http?: HttpRoute;
  priority?: number;
}

export interface VirtualServiceSpec {
  meshName: string;
  virtualRouter?: { name: string; listeners?: { portMapping: PortMapping }[] };
  routes?: Route[];
}

export type VirtualNode = KubeObject & { spec?: VirtualNodeSpec };
export type VirtualService = KubeObject & { spec?: VirtualServiceSpec };

/** The virtual node roles: the apex node answers for the primary's DNS name, as in Flagger. */
export type NodeRole = 'apex' | 'primary' | 'canary';
/** The virtual service roles: `apex` splits traffic, `canary` sends everything to the canary node. */
export type ServiceRole = 'apex' | 'canary';

/** service.meshName, which v1beta1 objects must name. */
export function meshName(canary: Canary): string {
  const name = requireService(canary).meshName ?? '';
  if (name === '') throw new Error('mesh name cannot be empty');
  return name;
}

/** The VirtualService names: `<svc>.<namespace>` and `<svc>-canary.<namespace>`. */
export function virtualServiceName(canary: Canary, role: ServiceRole): string {
  return `${serviceNames(canary.spec)[role]}.${canary.metadata.namespace ?? ''}`;
}

/** The VirtualNode `<svc>`, `<svc>-primary` or `<svc>-canary`, found by `<service>.<namespace>`. */
export function virtualNodeSpec(canary: Canary, role: NodeRole): VirtualNodeSpec {
  const service = requireService(canary);
  const names = serviceNames(canary.spec);
  const host = `${role === 'canary' ? names.canary : names.primary}.${canary.metadata.namespace ?? ''}`;
  const backends = (service.backends ?? []).map(virtualServiceName => ({
    virtualService: { virtualServiceName },
  }));
  return {
    meshName: meshName(canary),
    listeners: [{ portMapping: { port: service.port, protocol: appMeshProtocol(canary) } }],
    serviceDiscovery: { dns: { hostName: host } },
    ...(backends.length > 0 ? { backends } : {}),
  };
}

/**
 * The VirtualService `<svc>.<ns>` (role apex, the split in `routes`) or `<svc>-canary.<ns>`. For A/B tests the
 * apex service has two routes: `<svc>-a` (priority 10) matches the analysis headers and carries the split,
 * `<svc>-b` (priority 20) sends the rest to the primary.
 */
export function virtualServiceSpec(canary: Canary, role: ServiceRole, routes: Routes): VirtualServiceSpec {
  const names = serviceNames(canary.spec);
  const prefix = appMeshRoutePrefix(canary);
  const protocol = appMeshProtocol(canary);
  const weights = role === 'canary' ? { primaryWeight: 0, canaryWeight: 100 } : routes;
  const retry = retrySettings(canary);
  const route = (match: HttpRoute['match'], targets: WeightedTarget[]): HttpRoute => ({
    match,
    ...(retry
      ? {
          retryPolicy: {
            perRetryTimeoutMillis: retry.perTryTimeoutMs,
            maxRetries: retry.attempts,
            httpRetryEvents: retry.events,
          },
        }
      : {}),
    action: { weightedTargets: targets },
  });
  const split = splitTargets(canary, weights);
  const routerName = role === 'apex' ? names.apex : names.canary;
  return {
    meshName: meshName(canary),
    virtualRouter: {
      name: routerName,
      listeners: [{ portMapping: { port: requireService(canary).port, protocol } }],
    },
    routes:
      role === 'apex' && isAbTest(canary)
        ? [
            {
              name: `${names.apex}-a`,
              priority: 10,
              http: route({ prefix, headers: headerMatches(canary) }, split),
            },
            {
              name: `${names.apex}-b`,
              priority: 20,
              http: route({ prefix }, [{ virtualNodeName: names.primary, weight: 100 }]),
            },
          ]
        : [{ name: routerName, http: route({ prefix }, split) }],
  };
}

/** The weighted targets of a split: the canary node first, as Flagger writes them. */
export function splitTargets(
  canary: Canary,
  routes: Pick<Routes, 'primaryWeight' | 'canaryWeight'>,
): WeightedTarget[] {
  const names = serviceNames(canary.spec);
  return [
    { virtualNodeName: names.canary, weight: routes.canaryWeight },
    { virtualNodeName: names.primary, weight: routes.primaryWeight },
  ];
}

/** The split of the apex service's first route, or why it cannot be read (Flagger's messages). */
export function readVirtualService(
  canary: Canary,
  spec: VirtualServiceSpec | undefined,
): { routes: Routes } | { problem: string } {
  const names = serviceNames(canary.spec);
  const name = virtualServiceName(canary, 'apex');
  const targets = spec?.routes?.[0]?.http?.action.weightedTargets ?? [];
  if (targets.length !== 2) return { problem: `VirtualService routes ${name} not found` };
  const weight = (node: string) => targets.find(target => target.virtualNodeName === node)?.weight ?? 0;
  const primaryWeight = weight(names.primary);
  const canaryWeight = weight(names.canary);
  if (primaryWeight === 0 && canaryWeight === 0) {
    return {
      problem: `VirtualService ${name} does not contain routes for ${names.primary} and ${names.canary}`,
    };
  }
  return { routes: { primaryWeight, canaryWeight, mirrored: false } };
}
