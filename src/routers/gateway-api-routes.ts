// The HTTPRoute rules for a traffic split (Flagger's GatewayAPIRouter.SetRoutes layout): one weighted rule
// [primary, canary]; for A/B testing a rule for the matching requests and a primary-only rule; for session
// affinity the sticky cookie rules in front of the weighted one; the blue/green mirror on the weighted rule.
import type { Canary, CanaryService, SessionAffinity } from '../api/canary.ts';
import { TOTAL_WEIGHT, analysisIntervalMs, serviceNames } from '../api/defaults.ts';
import { canaryMirrorFilter, mirrorsTo, serviceFilters, withSetCookie } from './gateway-api-filters.ts';
import {
  DEFAULT_MATCH,
  cookieRouteMatch,
  isCookieMatch,
  mergeMatches,
  routeMatches,
} from './gateway-api-matches.ts';
import type { BackendRef, GatewayApiVersion, RouteMatch, RouteRule } from './gateway-api-types.ts';
import { requireService } from './service-spec.ts';
import {
  expiredCookieValue,
  setCookieValue,
  stickyCookieNames,
  type AffinityCookies,
} from './session-affinity.ts';
import type { Routes } from './types.ts';

/**
 * analysis.sessionAffinity as the routes apply it: not for A/B tests (Flagger lays out the sticky rules and then
 * overwrites the first one's matches with the A/B conditions), and without the primary cookie in v1beta1.
 */
export function sessionAffinity(canary: Canary, version: GatewayApiVersion): SessionAffinity | undefined {
  const affinity = canary.spec.analysis.sessionAffinity;
  if (affinity === undefined || (canary.spec.analysis.match?.length ?? 0) > 0) return undefined;
  return version.v1Features ? affinity : { ...affinity, primaryCookieName: undefined };
}

/**
 * The rules for `routes`. With analysis.sessionAffinity, `cookies` are the ones the rules use; without cookies
 * there are no cookie rules, as in the HTTPRoute Flagger's reconcile makes.
 */
export function routeRules(
  canary: Canary,
  routes: Routes,
  cookies: AffinityCookies | undefined,
  version: GatewayApiVersion,
): RouteRule[] {
  const service = requireService(canary);
  const serviceMatches = routeMatches(service.match);
  const matches = serviceMatches.length > 0 ? serviceMatches : [DEFAULT_MATCH];
  const backend = backendMaker(canary);
  const rule = (ruleMatches: RouteRule['matches'], backendRefs: BackendRef[]): RouteRule => {
    const filters = serviceFilters(service, version.v1Features);
    const timeouts = version.v1Features ? ruleTimeouts(service) : undefined;
    return {
      matches: ruleMatches,
      ...(filters.length > 0 ? { filters } : {}),
      backendRefs,
      ...(timeouts ? { timeouts } : {}),
    };
  };
  const weighted = rule(matches, [
    backend.primary(routes.primaryWeight),
    backend.canary(routes.canaryWeight),
  ]);
  // Flagger mirrors for blue/green only: the canary strategy's mirrored first step is not mirrored here.
  if (routes.mirrored && (canary.spec.analysis.iterations ?? 0) > 0) {
    weighted.filters = [...(weighted.filters ?? []), canaryMirrorFilter(canary)];
  }
  if ((canary.spec.analysis.match?.length ?? 0) > 0) {
    // A/B testing: no session affinity (see sessionAffinity).
    return onePrefixMatchPerRewrite([
      { ...weighted, matches: mergeMatches(routeMatches(canary.spec.analysis.match), matches) },
      rule(matches, [backend.primary(TOTAL_WEIGHT)]),
    ]);
  }
  const affinity = sessionAffinity(canary, version);
  if (affinity === undefined || cookies === undefined) return onePrefixMatchPerRewrite([weighted]);
  return onePrefixMatchPerRewrite([
    ...cookieRules(canary, affinity, weighted, cookies, serviceMatches),
    weighted,
  ]);
}

/**
 * Each rule that rewrites a path prefix and has several matches, as one rule per match. The Gateway API takes a
 * prefix rewrite only on a rule with exactly one PathPrefix match (the HTTPRoute CRD's CEL rule "When using
 * URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified"), so the API
 * server refuses Flagger's route whose A/B rule (a match per analysis condition) or service.match list has
 * several. Precedence is decided per match, so the rules route as the one rule would.
 */
function onePrefixMatchPerRewrite(rules: RouteRule[]): RouteRule[] {
  return rules.flatMap(rule => {
    const matches = rule.matches ?? [];
    const rewritesPrefix = (rule.filters ?? []).some(
      filter => filter.urlRewrite?.path?.type === 'ReplacePrefixMatch',
    );
    if (!rewritesPrefix || matches.length <= 1) return [rule];
    return matches.map(match => ({ ...structuredClone(rule), matches: [match] }));
  });
}

/**
 * The rule timeouts (v1). Flagger's SetRoutes gives the A/B primary rule `request: ""` when service.timeout is
 * not set, which the Gateway API rejects; a rule gets timeouts here only when one is set.
 */
function ruleTimeouts(service: CanaryService): RouteRule['timeouts'] {
  const { timeout, backendTimeout } = service;
  if (!timeout && !backendTimeout) return undefined;
  return {
    ...(timeout ? { request: timeout } : {}),
    ...(backendTimeout ? { backendRequest: backendTimeout } : {}),
  };
}

/**
 * The cookie rules, placed before `weighted`, whose backends then carry the Set-Cookie headers (4.3), as Flagger
 * lays them out. While the canary takes traffic: canary-cookie requests go to the canary, primary-cookie ones to
 * the primary. At weight 0 one rule: for the previous canary cookie, which it tells clients to drop, or, when
 * there is none, a copy of the weighted rule (which takes the requests first and routes them the same).
 */
function cookieRules(
  canary: Canary,
  affinity: SessionAffinity,
  weighted: RouteRule,
  cookies: AffinityCookies,
  serviceMatches: RouteMatch[],
): RouteRule[] {
  const backend = backendMaker(canary);
  const [primary, canaryBackend] = weighted.backendRefs ?? [];
  if (primary === undefined || canaryBackend === undefined) return [];
  const stickyTo = (cookie: string, backendRefs: BackendRef[]): RouteRule => ({
    ...structuredClone(weighted),
    matches: mergeMatches([cookieRouteMatch(cookie)], serviceMatches),
    backendRefs,
  });
  if ((canaryBackend.weight ?? 0) === 0) {
    const previous = cookies.previousSessionAffinityCookie;
    if (!previous) return [structuredClone(weighted)];
    const expiring = stickyTo(previous, structuredClone(weighted.backendRefs ?? []));
    return [{ ...expiring, filters: withSetCookie(weighted.filters, expiredCookieValue(previous)) }];
  }
  const canaryCookie = cookies.sessionAffinityCookie;
  if (!canaryCookie) return [];
  const sticky = [stickyTo(canaryCookie, [backend.primary(0), backend.canary(TOTAL_WEIGHT)])];
  canaryBackend.filters = withSetCookie(canaryBackend.filters, setCookieValue(affinity, canaryCookie));
  const primaryCookie = affinity.primaryCookieName ? cookies.primarySessionAffinityCookie : '';
  if (primaryCookie) {
    const intervalSeconds = Math.floor(analysisIntervalMs(canary.spec.analysis) / 1000);
    primary.filters = withSetCookie(
      primary.filters,
      setCookieValue(affinity, primaryCookie, intervalSeconds),
    );
    sticky.push(stickyTo(primaryCookie, [backend.primary(TOTAL_WEIGHT), backend.canary(0)]));
  }
  return sticky;
}

/** Backend builders for the primary and canary Services on service.port. */
function backendMaker(canary: Canary) {
  const names = serviceNames(canary.spec);
  const port = requireService(canary).port;
  const make =
    (name: string) =>
    (weight: number): BackendRef => ({ group: '', kind: 'Service', name, port, weight });
  return { primary: make(names.primary), canary: make(names.canary) };
}

export function isStickyRule(rule: RouteRule, cookieNames: readonly string[]): boolean {
  return (rule.matches ?? []).some(match => isCookieMatch(match, cookieNames));
}

/**
 * The split a route holds: the last rule, sticky rules aside, with both the primary and the canary backends
 * (with A/B testing the first rule; the second has the primary only); undefined when there is none. A backend
 * without a weight has the Gateway API default, 1. Mirrored when a rule mirrors to the canary.
 */
export function readRoutes(
  canary: Canary,
  rules: readonly RouteRule[] | undefined,
  version: GatewayApiVersion,
): Routes | undefined {
  const names = serviceNames(canary.spec);
  const sticky = stickyCookieNames(sessionAffinity(canary, version));
  const backendOf = (rule: RouteRule, name: string) => rule.backendRefs?.find(ref => ref.name === name);
  const weighted = (rules ?? []).findLast(
    rule =>
      !isStickyRule(rule, sticky) &&
      backendOf(rule, names.primary) !== undefined &&
      backendOf(rule, names.canary) !== undefined,
  );
  if (weighted === undefined) return undefined;
  return {
    primaryWeight: backendOf(weighted, names.primary)?.weight ?? 1,
    canaryWeight: backendOf(weighted, names.canary)?.weight ?? 1,
    mirrored: (rules ?? []).some(rule =>
      (rule.filters ?? []).some(filter => mirrorsTo(filter, names.canary)),
    ),
  };
}
