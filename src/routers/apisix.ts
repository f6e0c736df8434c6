// Provider `apisix` (Flagger's ApisixRouter): an ApisixRoute `<routeRef>-<svc>-canary` (apisix.apache.org/v2)
// that copies the HTTP rule of the routeRef route pointing at the apex Service, with priority 10000 (so that it
// wins over the original) and weighted backends `<svc>-primary` and `<svc>-canary`. No A/B testing.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import { canaryOwnerReference } from '../api/generated-objects.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { canaryLogger } from './generated-metadata.ts';
import { semanticallyEqual } from './semantic-equal.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';
import { upsert } from './upsert.ts';

export const APISIX_API_VERSION = 'apisix.apache.org/v2';
/** Flagger's maxPriority. */
const CANARY_PRIORITY = 10000;

export interface ApisixBackend {
  serviceName: string;
  servicePort?: number | string;
  resolveGranularity?: string;
  weight?: number;
  subset?: string;
  [field: string]: unknown;
}

export interface ApisixHttpRule {
  name?: string;
  priority?: number;
  backends?: ApisixBackend[];
  [field: string]: unknown;
}

export interface ApisixRouteSpec {
  http?: ApisixHttpRule[];
  [field: string]: unknown;
}

export type ApisixRoute = KubeObject & { spec?: ApisixRouteSpec };

const INITIAL_ROUTES: Routes = { primaryWeight: 100, canaryWeight: 0, mirrored: false };

export class ApisixRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;

  constructor(deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
  }

  async reconcile(canary: Canary): Promise<void> {
    const routeName = canary.spec.routeRef?.name ?? '';
    if (routeName === '') throw new Error('apisix route selector is empty');
    const namespace = canary.metadata.namespace ?? '';
    const source = await this.kube
      .get<ApisixRoute>({ apiVersion: APISIX_API_VERSION, kind: 'ApisixRoute', name: routeName, namespace })
      .catch((err: unknown) => {
        throw new Error(`APISIX route ${routeName}.${namespace} get query error: ${String(err)}`, {
          cause: err,
        });
      });
    const ref = canaryRouteRef(canary);
    const result = await upsert<ApisixRoute>(this.kube, {
      ref,
      create: () => ({
        apiVersion: APISIX_API_VERSION,
        kind: 'ApisixRoute',
        metadata: {
          name: ref.name,
          namespace,
          // The original's labels and annotations, as Flagger copies them (without Flux annotations).
          ...(source.metadata?.labels ? { labels: source.metadata.labels } : {}),
          ...(source.metadata?.annotations ? { annotations: source.metadata.annotations } : {}),
          ...(this.setOwnerRefs ? { ownerReferences: [canaryOwnerReference(canary)] } : {}),
        },
        spec: canaryRouteSpec(canary, source, INITIAL_ROUTES),
      }),
      update: current => {
        // As in Flagger, the weights are not compared: a rewrite keeps the current split.
        const kept = readApisixRoutes(canary, current.spec) ?? INITIAL_ROUTES;
        const desired = canaryRouteSpec(canary, source, kept);
        if (semanticallyEqual(desired, current.spec)) return false;
        current.spec = desired;
        return true;
      },
    });
    if (result !== 'unchanged')
      canaryLogger(this.logger, canary).info(`APISIX route ${ref.name}.${namespace} ${result}`);
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    const ref = canaryRouteRef(canary);
    if (routes.primaryWeight === 0 && routes.canaryWeight === 0) {
      const apex = serviceNames(canary.spec).apex;
      throw new Error(`RoutingRule ${apex}.${ref.namespace ?? ''} update failed: no valid weights`);
    }
    const names = serviceNames(canary.spec);
    await this.kube.modify<ApisixRoute>(ref, current => {
      const rule = targetRule(canary, current, names.primary);
      for (const backend of rule.backends ?? []) {
        if (backend.serviceName === names.primary) backend.weight = routes.primaryWeight;
        else if (backend.serviceName === names.canary) backend.weight = routes.canaryWeight;
      }
      return true;
    });
    return {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const route = await this.kube.get<ApisixRoute>(canaryRouteRef(canary));
    targetRule(canary, route, serviceNames(canary.spec).primary);
    // targetRule found a rule with the primary backend, so there is a split to read.
    return readApisixRoutes(canary, route.spec) ?? INITIAL_ROUTES;
  }

  /** Nothing to revert, as in Flagger. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }
}

function canaryRouteRef(canary: Canary): ObjectRef {
  return {
    apiVersion: APISIX_API_VERSION,
    kind: 'ApisixRoute',
    name: `${canary.spec.routeRef?.name ?? ''}-${serviceNames(canary.spec).apex}-canary`,
    namespace: canary.metadata.namespace,
  };
}

/** The first HTTP rule of route with a backend named service. */
function targetRule(canary: Canary, route: ApisixRoute, service: string): ApisixHttpRule {
  const rule = route.spec?.http?.find(item =>
    item.backends?.some(backend => backend.serviceName === service),
  );
  if (rule === undefined) {
    const where = `${canary.spec.routeRef?.name ?? ''}.${canary.metadata.namespace ?? ''}`;
    throw new Error(`Can not find ${service} backend on apisix route ${where}`);
  }
  return rule;
}

/**
 * The canary route's spec: the source spec with only its HTTP rule for the apex Service, whose one backend
 * becomes the weighted primary and a canary copy (service port, resolve granularity and subset, as in Flagger).
 */
export function canaryRouteSpec(canary: Canary, source: ApisixRoute, routes: Routes): ApisixRouteSpec {
  const names = serviceNames(canary.spec);
  const where = `${canary.spec.routeRef?.name ?? ''}.${canary.metadata.namespace ?? ''}`;
  if ((source.spec?.http ?? []).length === 0) throw new Error(`APISIX route ${where}'s spec.http is empty`);
  const rule = structuredClone(targetRule(canary, source, names.apex));
  const [backend, ...others] = rule.backends ?? [];
  if (backend === undefined || others.length > 0) {
    throw new Error(
      `APISIX route ${where}'s http route ${rule.name ?? ''} only one http backend is supported`,
    );
  }
  const canaryBackend: ApisixBackend = {
    serviceName: names.canary,
    servicePort: backend.servicePort,
    resolveGranularity: backend.resolveGranularity,
    weight: routes.canaryWeight,
    subset: backend.subset,
  };
  const backends = [
    { ...backend, serviceName: names.primary, weight: routes.primaryWeight },
    withoutUndefined(canaryBackend),
  ];
  return { ...structuredClone(source.spec), http: [{ ...rule, priority: CANARY_PRIORITY, backends }] };
}

/** The split, from the primary backend's weight (as Flagger reads it); undefined without one. */
export function readApisixRoutes(canary: Canary, spec: ApisixRouteSpec | undefined): Routes | undefined {
  const primary = serviceNames(canary.spec).primary;
  const backend = spec?.http?.flatMap(rule => rule.backends ?? []).find(item => item.serviceName === primary);
  if (backend === undefined) return undefined;
  const primaryWeight = backend.weight ?? 0;
  return { primaryWeight, canaryWeight: 100 - primaryWeight, mirrored: false };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
