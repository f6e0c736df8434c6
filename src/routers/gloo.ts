// Provider `gloo` (Flagger's GlooRouter): Upstreams for the primary and canary Services (gloo-upstreams.ts)
// and a RouteTable `<svc>` (gateway.solo.io/v1), for a VirtualService to delegate to, whose one route weighs
// them. A/B testing: the analysis header matches become the route's matchers.
import type { AnalysisMatch, Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';
import { reconcileUpstreams, upstreamNames } from './gloo-upstreams.ts';
import { readSplit, reconcileSplitObject, setSplit, type SplitObject } from './split-object.ts';
import type { Router, RouterDeps, RouterStatus, Routes } from './types.ts';

export const GLOO_GATEWAY_API_VERSION = 'gateway.solo.io/v1';

export interface GlooHeaderMatcher {
  name: string;
  value?: string;
  regex?: boolean;
}

export interface GlooWeightedDestination {
  destination: { upstream: { name: string; namespace: string } };
  /** Omitted at 0, as Go's omitempty writes it. */
  weight?: number;
}

export interface GlooRoute {
  matchers?: { headers?: GlooHeaderMatcher[] }[];
  routeAction: { multi: { destinations: GlooWeightedDestination[] } };
  inheritablePathMatchers: boolean;
}

export interface RouteTableSpec {
  routes: GlooRoute[];
}

export class GlooRouter implements Router {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly setOwnerRefs: boolean;
  private readonly includeLabelPrefix: readonly string[];

  constructor(
    deps: Pick<RouterDeps, 'kube' | 'logger' | 'setOwnerRefs'> & { includeLabelPrefix: readonly string[] },
  ) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.setOwnerRefs = deps.setOwnerRefs;
    this.includeLabelPrefix = deps.includeLabelPrefix;
  }

  async reconcile(canary: Canary): Promise<void> {
    const deps = { kube: this.kube, logger: this.logger, setOwnerRefs: this.setOwnerRefs };
    await reconcileUpstreams({ ...deps, includeLabelPrefix: this.includeLabelPrefix }, canary);
    await reconcileSplitObject(deps, canary, routeTable(canary));
  }

  async setRoutes(canary: Canary, routes: Routes): Promise<RouterStatus> {
    await setSplit(this.kube, routeTable(canary), routes);
    return {};
  }

  getRoutes(canary: Canary): Promise<Routes> {
    return readSplit(this.kube, routeTable(canary));
  }

  /** Nothing to revert, as in Flagger. */
  finalize(): Promise<void> {
    return Promise.resolve();
  }
}

function routeTable(canary: Canary): SplitObject<RouteTableSpec> {
  return {
    ref: {
      apiVersion: GLOO_GATEWAY_API_VERSION,
      kind: 'RouteTable',
      name: serviceNames(canary.spec).apex,
      namespace: canary.metadata.namespace,
    },
    spec: routes => routeTableSpec(canary, routes),
    read: spec => readRouteTable(canary, spec),
  };
}

/** One route, matching the A/B headers if any, weighing the primary (first) and canary Upstreams. */
export function routeTableSpec(canary: Canary, routes: Routes): RouteTableSpec {
  const upstreams = upstreamNames(canary);
  const namespace = canary.metadata.namespace ?? '';
  const destination = (name: string, weight: number): GlooWeightedDestination => ({
    destination: { upstream: { name, namespace } },
    ...(weight === 0 ? {} : { weight }),
  });
  const headers = headerMatchers(canary.spec.analysis.match ?? []);
  return {
    routes: [
      {
        ...(headers.length > 0 ? { matchers: [{ headers }] } : {}),
        routeAction: {
          multi: {
            destinations: [
              destination(upstreams.primary, routes.primaryWeight),
              destination(upstreams.canary, routes.canaryWeight),
            ],
          },
        },
        // Lets a delegating VirtualService's path matchers apply to this route.
        inheritablePathMatchers: true,
      },
    ],
  };
}

/**
 * Every header of every analysis match, in one matcher: exact, or regex. Quirks: prefix and suffix matches
 * become a presence test (an empty value), as in Flagger; the headers of a match are sorted by name where
 * Flagger follows Go's random map order, which rewrote the RouteTable at random. Flagger also copies
 * `method` into `methods`, but the Canary CRD prunes analysis.match[].method (Q17), so there are none.
 */
export function headerMatchers(matches: readonly AnalysisMatch[]): GlooHeaderMatcher[] {
  return matches.flatMap(match =>
    Object.entries(match.headers ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]): GlooHeaderMatcher => {
        if (value.regex !== undefined && value.regex !== '') return { name, value: value.regex, regex: true };
        return value.exact === undefined || value.exact === '' ? { name } : { name, value: value.exact };
      }),
  );
}

/** The split, from the primary Upstream's weight; undefined unless both destinations are there (as in Flagger). */
export function readRouteTable(canary: Canary, spec: RouteTableSpec | undefined): Routes | undefined {
  const destinations = spec?.routes[0]?.routeAction.multi.destinations ?? [];
  const primary = destinations.find(item => item.destination.upstream.name === upstreamNames(canary).primary);
  if (destinations.length < 2 || primary === undefined) return undefined;
  const primaryWeight = primary.weight ?? 0;
  return { primaryWeight, canaryWeight: 100 - primaryWeight, mirrored: false };
}
