// The http/tcp routes of the Istio VirtualService for a traffic split (Flagger's IstioRouter.SetRoutes layout):
// one weighted route [primary, canary]; for A/B testing a route for the matching requests and a default route;
// for session affinity the cookie routes in front of the weighted one; TCP routes for appProtocol tcp.
import type { Canary, CanaryService, SessionAffinity } from '../api/canary.ts';
import { TOTAL_WEIGHT, analysisIntervalMs, serviceNames } from '../api/defaults.ts';
import type { HttpMatch, HttpRoute, RouteDestination, TcpRoute, VirtualServiceSpec } from './istio-types.ts';
import {
  cookieMatch,
  expiredCookieValue,
  isStickyCookieRegex,
  setCookieValue,
  type AffinityCookies,
} from './session-affinity.ts';
import { requireService } from './service-spec.ts';
import type { Routes } from './types.ts';

const SET_COOKIE = 'Set-Cookie';
const COOKIE = 'Cookie';

export type RouteLayout = Pick<VirtualServiceSpec, 'http' | 'tcp'>;

export function isTcp(service: Pick<CanaryService, 'appProtocol'>): boolean {
  return service.appProtocol?.toLowerCase() === 'tcp';
}

/**
 * The routes for `routes`. With analysis.sessionAffinity, `cookies` are the ones the routes use; without
 * cookies the layout has no cookie routes, as the VirtualService Flagger's reconcile makes.
 */
export function routeLayout(
  canary: Canary,
  routes: Routes,
  cookies: AffinityCookies | undefined,
): RouteLayout {
  const service = requireService(canary);
  const dest = destinations(canary);
  const split = [dest.primary(routes.primaryWeight), dest.canary(routes.canaryWeight)];
  if (isTcp(service)) {
    const tcp: TcpRoute = { route: split };
    if (service.match?.length)
      tcp.match = service.match.map(m => (m.port === undefined ? {} : { port: m.port }));
    return { tcp: [tcp] };
  }
  const analysisMatch = canary.spec.analysis.match ?? [];
  if (analysisMatch.length > 0) {
    // A/B testing: mirroring and session affinity do not apply. The default route gets the primary weight, as
    // Flagger writes it (0 during the test); Istio sends everything to a route's only destination whatever its
    // weight.
    return {
      http: [
        { ...serviceRoute(service, mergeMatches(analysisMatch, service.match ?? [])), route: split },
        { ...serviceRoute(service, service.match), route: [dest.primary(routes.primaryWeight)] },
      ],
    };
  }
  const weighted: HttpRoute = { ...serviceRoute(service, service.match), route: split };
  const affinity = canary.spec.analysis.sessionAffinity;
  const http =
    affinity && cookies ? [...cookieRoutes(canary, affinity, weighted, cookies), weighted] : [weighted];
  const [first] = http;
  if (routes.mirrored && first) {
    // On the first route, as Flagger: with session affinity, the cookie route that requests reach first.
    first.mirror = { host: serviceNames(canary.spec).canary };
    const mirrorWeight = canary.spec.analysis.mirrorWeight ?? 0;
    if (mirrorWeight > 0) first.mirrorPercentage = { value: mirrorWeight };
  }
  return { http };
}

/**
 * The cookie routes, placed before `weighted`, whose destinations get the Set-Cookie headers (4.3), as Flagger
 * lays them out. While the canary takes traffic: canary-cookie requests go to the canary, primary-cookie ones to
 * the primary. At weight 0 one route: for the previous canary cookie, which it tells clients to drop, or, when
 * there is none, a copy of the weighted route (which takes the requests first and routes them the same).
 */
function cookieRoutes(
  canary: Canary,
  affinity: SessionAffinity,
  weighted: HttpRoute,
  cookies: AffinityCookies,
): HttpRoute[] {
  const serviceMatch = requireService(canary).match ?? [];
  const [primary, canaryDest] = weighted.route ?? [];
  if (primary === undefined || canaryDest === undefined) return [];
  const dest = destinations(canary);
  const stickyTo = (cookie: string, split: RouteDestination[]): HttpRoute => ({
    ...structuredClone(weighted),
    match: mergeMatches([cookieMatch(cookie)], serviceMatch),
    route: split,
  });
  if ((canaryDest.weight ?? 0) === 0) {
    const previous = cookies.previousSessionAffinityCookie;
    if (!previous) return [structuredClone(weighted)];
    const expiring = stickyTo(previous, structuredClone(weighted.route ?? []));
    return [{ ...expiring, headers: addSetCookie(weighted.headers, expiredCookieValue(previous)) }];
  }
  const canaryCookie = cookies.sessionAffinityCookie;
  if (!canaryCookie) return [];
  const sticky = [stickyTo(canaryCookie, [dest.primary(0), dest.canary(TOTAL_WEIGHT)])];
  canaryDest.headers = addSetCookie(undefined, setCookieValue(affinity, canaryCookie));
  const primaryCookie = affinity.primaryCookieName ? cookies.primarySessionAffinityCookie : '';
  if (primaryCookie) {
    const intervalSeconds = Math.floor(analysisIntervalMs(canary.spec.analysis) / 1000);
    primary.headers = addSetCookie(undefined, setCookieValue(affinity, primaryCookie, intervalSeconds));
    sticky.push(stickyTo(primaryCookie, [dest.primary(TOTAL_WEIGHT), dest.canary(0)]));
  }
  return sticky;
}

/** True for a route that matches a session affinity cookie (the reconcile diff leaves those out). */
export function isStickyRoute(route: HttpRoute, cookieNames: readonly string[]): boolean {
  return (route.match ?? []).some(match => isStickyCookieRegex(match.headers?.[COOKIE]?.regex, cookieNames));
}

/** headers plus a response Set-Cookie, as a new object (Flagger adds it to the shared spec headers in place). */
function addSetCookie(headers: HttpRoute['headers'], value: string): NonNullable<HttpRoute['headers']> {
  const response = headers?.response;
  return { ...headers, response: { ...response, add: { ...response?.add, [SET_COOKIE]: value } } };
}

/** The route fields that come from service (the match is passed in: A/B routes use merged matches). */
function serviceRoute(service: CanaryService, match: HttpMatch[] | undefined): HttpRoute {
  const route: HttpRoute = {};
  if (match?.length) route.match = match;
  if (service.rewrite) {
    // Istio has no rewrite `type` (that is for the Gateway API), so only uri and authority go through.
    const { uri, authority } = service.rewrite;
    route.rewrite = { ...(uri ? { uri } : {}), ...(authority ? { authority } : {}) };
  }
  if (service.timeout) route.timeout = service.timeout;
  if (service.retries) route.retries = service.retries;
  if (service.corsPolicy) route.corsPolicy = service.corsPolicy;
  if (service.headers) route.headers = service.headers;
  return route;
}

/**
 * Each (analysis, service) match pair: the service match with the analysis headers, query params and source
 * labels, so A/B conditions only apply to the service's own routes. Without service matches, the analysis ones.
 * Quirk fixed: Flagger leaves the query params out, so an A/B test on them sends all the service's requests to
 * the canary.
 */
export function mergeMatches(analysis: HttpMatch[], service: HttpMatch[]): HttpMatch[] {
  if (service.length === 0) return analysis;
  return analysis.flatMap(a =>
    service.map(s => ({
      ...structuredClone(s),
      ...(a.headers ? { headers: a.headers } : {}),
      ...(a.queryParams ? { queryParams: a.queryParams } : {}),
      ...(a.sourceLabels ? { sourceLabels: a.sourceLabels } : {}),
    })),
  );
}

/**
 * Destination builders for the primary and canary hosts. With portDiscovery the Services have several ports,
 * so routes through a gateway (or a delegate VirtualService) name the service port.
 */
function destinations(canary: Canary) {
  const service = requireService(canary);
  const names = serviceNames(canary.spec);
  const firstGateway = service.gateways?.[0];
  const withPort =
    service.portDiscovery === true &&
    ((firstGateway !== undefined && firstGateway !== 'mesh') || service.delegation === true);
  const make =
    (host: string) =>
    (weight: number): RouteDestination => ({
      destination: withPort ? { host, port: { number: service.port } } : { host },
      weight,
    });
  return { primary: make(names.primary), canary: make(names.canary) };
}

/**
 * The split a VirtualService holds: the last route with a canary destination (the weighted one), mirrored when
 * it or the first route mirrors.
 */
export function readRoutes(canary: Canary, spec: VirtualServiceSpec | undefined): Routes | undefined {
  const names = serviceNames(canary.spec);
  const tcp = isTcp(requireService(canary));
  const candidates: (HttpRoute | TcpRoute)[] = (tcp ? spec?.tcp : spec?.http) ?? [];
  const weighted = candidates.findLast(r => r.route?.some(d => d.destination.host === names.canary));
  const weightOf = (host: string) => weighted?.route?.find(d => d.destination.host === host)?.weight ?? 0;
  const primaryWeight = weightOf(names.primary);
  const canaryWeight = weightOf(names.canary);
  if (primaryWeight === 0 && canaryWeight === 0) return undefined;
  // Quirk fixed: Flagger reads the mirror off the weighted route only, but writes it on the first one, so with
  // session affinity it never sees its mirror and repeats the mirroring step forever.
  const mirrorsOn = (route: HttpRoute | TcpRoute | undefined) =>
    route !== undefined && 'mirror' in route && !!route.mirror?.host;
  const mirrored = !tcp && (mirrorsOn(weighted) || mirrorsOn(spec?.http?.[0]));
  return { primaryWeight, canaryWeight, mirrored };
}
