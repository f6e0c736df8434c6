// Providers `gatewayapi:v1` (a bare `gatewayapi` too) and `gatewayapi:v1beta1` (Flagger's GatewayAPIRouter and
// GatewayAPIV1Beta1Router): one HTTPRoute on the apex name, attached to the gatewayRefs, whose rules carry the
// split, A/B conditions, the blue/green mirror and session affinity. The versions differ only in the apiVersion
// and the v1-only features (GatewayApiVersion).
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import { canaryOwnerReference } from '../api/generated-objects.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { corsProblems } from './gateway-api-filters.ts';
import {
  httpRouteProblem,
  httpRouteSpec,
  newHttpRoute,
  parentProblem,
  ruleLayout,
  updateHttpRoute,
} from './gateway-api-http-route.ts';
import { readRoutes, sessionAffinity } from './gateway-api-routes.ts';
import {
  GATEWAY_API_V1,
  GATEWAY_API_V1BETA1,
  type GatewayApiVersion,
  type HttpRoute,
} from './gateway-api-types.ts';
import { canaryLogger } from './generated-metadata.ts';
import { requireService } from './service-spec.ts';
import { currentCookies, nextCookies } from './session-affinity.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';
import { upsert } from './upsert.ts';

const INITIAL_ROUTES: Routes = { primaryWeight: 100, canaryWeight: 0, mirrored: false };

type GatewayApiRouterDeps = Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'>;

export class GatewayApiRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;
  private readonly version: GatewayApiVersion;

  constructor(deps: GatewayApiRouterDeps, version: GatewayApiVersion) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
    this.version = version;
  }

  async reconcile(canary: Canary): Promise<void> {
    const problem = httpRouteProblem(canary);
    if (problem !== undefined) throw new Error(problem);
    const logger = canaryLogger(this.logger, canary);
    if (this.version.v1Features) for (const cors of corsProblems(requireService(canary))) logger.error(cors);
    // Created and compared without session affinity rules, as Flagger's reconcile does.
    const desired = httpRouteSpec(canary, INITIAL_ROUTES, undefined, this.version);
    const ref = this.routeRef(canary);
    const result = await upsert<HttpRoute>(this.kube, {
      ref,
      create: () => {
        const route = newHttpRoute(canary, desired, this.version);
        if (this.setOwnerRefs) (route.metadata ??= {}).ownerReferences = [canaryOwnerReference(canary)];
        return route;
      },
      update: current => {
        const kept = readRoutes(canary, current.spec?.rules, this.version) ?? INITIAL_ROUTES;
        return updateHttpRoute(current, canary, desired, this.version, () =>
          ruleLayout(canary, kept, currentCookies(canary.status), this.version),
        );
      },
    });
    if (result !== 'unchanged') logger.info(`HTTPRoute ${ref.name}.${ref.namespace ?? ''} ${result}`);
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    const affinity = sessionAffinity(canary, this.version);
    const cookies = affinity ? nextCookies(affinity, canary.status, routes.canaryWeight) : undefined;
    const spec = httpRouteSpec(canary, routes, cookies, this.version);
    await this.kube.modify<HttpRoute>(this.routeRef(canary), current => {
      current.spec = spec;
      return true;
    });
    return cookies ?? {};
  }

  async getRoutes(canary: Canary): Promise<Routes> {
    const ref = this.routeRef(canary);
    const route = await this.kube.get<HttpRoute>(ref);
    const notReady = this.version.v1Features ? parentProblem(route) : undefined;
    if (notReady !== undefined) throw new Error(notReady);
    const routes = readRoutes(canary, route.spec?.rules, this.version);
    if (routes === undefined) {
      // Flagger reads 0/0 without an error; like the Istio router, we say the routes are missing.
      const names = serviceNames(canary.spec);
      throw new Error(
        `HTTPRoute ${ref.name}.${ref.namespace ?? ''} does not contain routes for ${names.primary} and ${names.canary}`,
      );
    }
    return routes;
  }

  /** Flagger reverts nothing: the HTTPRoute stays as the last split left it. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }

  private routeRef(canary: Canary): ObjectRef {
    return {
      apiVersion: this.version.apiVersion,
      kind: 'HTTPRoute',
      name: serviceNames(canary.spec).apex,
      namespace: canary.metadata.namespace,
    };
  }
}

/** The `gatewayapi:v1` router. */
export function gatewayApiV1Router(deps: GatewayApiRouterDeps): GatewayApiRouter {
  return new GatewayApiRouter(deps, GATEWAY_API_V1);
}

/** The `gatewayapi:v1beta1` router. */
export function gatewayApiV1beta1Router(deps: GatewayApiRouterDeps): GatewayApiRouter {
  return new GatewayApiRouter(deps, GATEWAY_API_V1BETA1);
}
