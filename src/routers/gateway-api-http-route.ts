// The HTTPRoute as a whole: parents and hostnames, the spec for a split, what the reconcile diff compares, how an
// existing route (Flagger's or a user's) is brought up to date, and the parents' readiness as getRoutes sees it.
import type { Canary, GatewayParentReference } from '../api/canary.ts';
import { gatewayParentRef, serviceNames } from '../api/defaults.ts';
import { withFluxAnnotations } from '../api/generated-objects.ts';
import { mirrorsTo } from './gateway-api-filters.ts';
import { isStickyRule, routeRules, sessionAffinity } from './gateway-api-routes.ts';
import type { GatewayApiVersion, HttpRoute, HttpRouteSpec, RouteRule } from './gateway-api-types.ts';
import { semanticallyEqual, withoutRepeats } from './semantic-equal.ts';
import { requireService, sameMap } from './service-spec.ts';
import { stickyCookieNames, type AffinityCookies } from './session-affinity.ts';
import type { Routes } from './types.ts';

/** Why the canary cannot have an HTTPRoute, or undefined. */
export function httpRouteProblem(canary: Canary): string | undefined {
  const refs = requireService(canary).gatewayRefs ?? [];
  return refs.length === 0
    ? 'GatewayRefs must be specified when using Gateway API as a provider.'
    : undefined;
}

/**
 * The spec for a split: parentRefs from gatewayRefs (with their defaults), hostnames from hosts, the rules
 * (routeRules: without cookies, no session affinity rules).
 */
export function httpRouteSpec(
  canary: Canary,
  routes: Routes,
  cookies: AffinityCookies | undefined,
  version: GatewayApiVersion,
): HttpRouteSpec {
  const service = requireService(canary);
  return {
    parentRefs: (service.gatewayRefs ?? []).map(gatewayParentRef),
    ...(service.hosts?.length ? { hostnames: [...service.hosts] } : {}),
    rules: ruleLayout(canary, routes, cookies, version),
  };
}

/** routeRules, with Flagger's error prefix when a match cannot be expressed. */
export function ruleLayout(
  canary: Canary,
  routes: Routes,
  cookies: AffinityCookies | undefined,
  version: GatewayApiVersion,
): RouteRule[] {
  try {
    return routeRules(canary, routes, cookies, version);
  } catch (err) {
    throw new Error(`Invalid request matching selectors: ${(err as Error).message}`, { cause: err });
  }
}

/** A new HTTPRoute; the caller adds the owner reference. */
export function newHttpRoute(canary: Canary, spec: HttpRouteSpec, version: GatewayApiVersion): HttpRoute {
  const apex = requireService(canary).apex;
  return {
    apiVersion: version.apiVersion,
    kind: 'HTTPRoute',
    metadata: {
      name: serviceNames(canary.spec).apex,
      namespace: canary.metadata.namespace,
      ...(apex?.labels ? { labels: apex.labels } : {}),
      annotations: withFluxAnnotations(apex?.annotations),
    },
    spec,
  };
}

/**
 * Brings an existing HTTPRoute up to `desired` in place; false when nothing changed. Annotations that other
 * controllers put on the route are kept, as Flagger keeps them. The diff ignores weights, the blue/green mirror
 * and (with session affinity) the sticky rules and backend filters, and a rewrite keeps the current split:
 * `rebuild` makes the rules for it. Flagger resets the split to 100/0 here, which moves traffic mid-analysis
 * when the canary's service settings change.
 */
export function updateHttpRoute(
  current: HttpRoute,
  canary: Canary,
  desired: HttpRouteSpec,
  version: GatewayApiVersion,
  rebuild: () => RouteRule[],
): boolean {
  const meta = (current.metadata ??= {});
  const apex = requireService(canary).apex;
  const annotations = { ...meta.annotations, ...withFluxAnnotations(apex?.annotations) };
  const labels = apex?.labels ?? {};
  const specChanged = !semanticallyEqual(
    comparable(desired, canary, version),
    comparable(current.spec ?? {}, canary, version),
  );
  if (!specChanged && sameMap(labels, meta.labels) && sameMap(annotations, meta.annotations)) return false;
  meta.labels = labels;
  meta.annotations = annotations;
  if (specChanged) current.spec = { ...desired, rules: rebuild() };
  return true;
}

/**
 * What the reconcile diff compares. With session affinity, the cookie rules and backend filters are left out, as
 * in Flagger, and so is the copy of the weighted rule that precedes it at weight 0 without a cookie.
 */
function comparable(spec: HttpRouteSpec, canary: Canary, version: GatewayApiVersion): unknown {
  const canaryName = serviceNames(canary.spec).canary;
  const sticky = stickyCookieNames(sessionAffinity(canary, version));
  const rules = (spec.rules ?? [])
    .filter(rule => !isStickyRule(rule, sticky))
    .map(rule => ({
      ...rule,
      filters: rule.filters?.filter(filter => !mirrorsTo(filter, canaryName)),
      backendRefs: rule.backendRefs?.map(ref => ({
        ...ref,
        weight: undefined,
        filters: sticky.length > 0 ? undefined : ref.filters,
      })),
    }));
  return { ...spec, rules: sticky.length > 0 ? withoutRepeats(rules) : rules };
}

/**
 * Why the route's parents are not ready, or undefined: a parent whose Accepted condition is not True, or was
 * observed for an older generation of the route (Flagger's v1 GetRoutes check). Parents are compared with the
 * Gateway API defaults filled in, as the API server stores them.
 */
export function parentProblem(route: HttpRoute): string | undefined {
  const generation = route.metadata?.generation ?? 0;
  const statuses = route.status?.parents ?? [];
  for (const parentRef of route.spec?.parentRefs ?? []) {
    const conditions = statuses
      .filter(parent => parent.parentRef !== undefined && sameParent(parent.parentRef, parentRef))
      .flatMap(parent => parent.conditions ?? []);
    const notReady = conditions.find(
      condition =>
        condition.type === 'Accepted' &&
        (condition.status !== 'True' || (condition.observedGeneration ?? 0) < generation),
    );
    if (notReady !== undefined) {
      const name = `${route.metadata?.name ?? ''}.${route.metadata?.namespace ?? ''}`;
      return (
        `HTTPRoute ${name} parent ${parentRef.name} is not ready (status: ${notReady.status}, ` +
        `observed generation: ${notReady.observedGeneration ?? 0}, current generation: ${generation})`
      );
    }
  }
  return undefined;
}

function sameParent(a: GatewayParentReference, b: GatewayParentReference): boolean {
  return semanticallyEqual(gatewayParentRef(a), gatewayParentRef(b));
}
