// The http/tcp routes of the Istio VirtualService for a traffic split (Flagger's IstioRouter.SetRoutes layout):
// one weighted route [primary, canary]; for A/B testing a route for the matching requests and a default route;
// for session affinity the sticky cookie routes in front of the weighted one; TCP routes for appProtocol tcp.
import type { Canary, CanaryService } from '../api/canary.ts';
import { TOTAL_WEIGHT, analysisIntervalMs, serviceNames } from '../api/defaults.ts';
import type { HttpMatch, HttpRoute, RouteDestination, TcpRoute, VirtualServiceSpec } from './istio-types.ts';
import { cookieMatch, expiredCookieValue, setCookieValue, type AffinityCookies } from './session-affinity.ts';
import { requireService } from './service-spec.ts';
import type { Routes } from './types.ts';

/** Name of the sticky routes; the reconcile diff skips routes whose name starts with it. */
export const STICKY_ROUTE = 'sticky-route';
const STICKY_PRIMARY_ROUTE = `${STICKY_ROUTE}-primary`;
const SET_COOKIE = 'Set-Cookie';

export type RouteLayout = Pick<VirtualServiceSpec, 'http' | 'tcp'>;

export function isTcp(service: Pick<CanaryService, 'appProtocol'>): boolean {
  return service.appProtocol?.toLowerCase() === 'tcp';
}

/** The routes for `routes`; `cookies` are used when analysis.sessionAffinity is set. */
export function routeLayout(canary: Canary, routes: Routes, cookies: AffinityCookies): RouteLayout {
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
    // A/B testing: mirroring and session affinity do not apply. The default route has a single destination,
    // which Istio sends everything to whatever its weight; Flagger writes the primary weight there, we 100.
    return {
      http: [
        { ...serviceRoute(service, mergeMatches(analysisMatch, service.match ?? [])), route: split },
        { ...serviceRoute(service, service.match), route: [dest.primary(TOTAL_WEIGHT)] },
      ],
    };
  }
  const weighted: HttpRoute = { ...serviceRoute(service, service.match), route: split };
  const sticky = canary.spec.analysis.sessionAffinity ? stickyRoutes(canary, weighted, cookies) : [];
  if (routes.mirrored) {
    // Flagger mirrors on http[0], which with session affinity is a sticky route, so it never reads the mirror
    // back and mirrors forever; the mirror belongs on the weighted route.
    weighted.mirror = { host: serviceNames(canary.spec).canary };
    const mirrorWeight = canary.spec.analysis.mirrorWeight ?? 0;
    if (mirrorWeight > 0) weighted.mirrorPercentage = { value: mirrorWeight };
  }
  return { http: [...sticky, weighted] };
}

/**
 * The sticky routes, placed before `weighted`, whose destinations get the Set-Cookie headers (4.3). While the
 * canary takes traffic: canary-cookie requests go to the canary, primary-cookie ones to the primary. At weight 0
 * a request with the previous canary cookie is told to drop it. Flagger also writes a copy of the weighted route
 * when there is no previous cookie; it routes nothing, so we leave it out.
 */
function stickyRoutes(canary: Canary, weighted: HttpRoute, cookies: AffinityCookies): HttpRoute[] {
  const affinity = canary.spec.analysis.sessionAffinity;
  const serviceMatch = requireService(canary).match ?? [];
  const route = weighted.route ?? [];
  const [primary, canaryDest] = route;
  if (affinity === undefined || primary === undefined || canaryDest === undefined) return [];
  const dest = destinations(canary);
  const stickyTo = (name: string, cookie: string, split: RouteDestination[]): HttpRoute => ({
    ...weighted,
    name,
    match: mergeMatches([cookieMatch(cookie)], serviceMatch),
    route: split,
  });
  if ((canaryDest.weight ?? 0) === 0) {
    const previous = cookies.previousSessionAffinityCookie;
    if (!previous) return [];
    return [
      {
        ...stickyTo(STICKY_ROUTE, previous, route),
        headers: addSetCookie(weighted.headers, expiredCookieValue(previous)),
      },
    ];
  }
  const canaryCookie = cookies.sessionAffinityCookie;
  if (!canaryCookie) return [];
  canaryDest.headers = addSetCookie(undefined, setCookieValue(affinity, canaryCookie));
  const sticky = [stickyTo(STICKY_ROUTE, canaryCookie, [dest.primary(0), dest.canary(TOTAL_WEIGHT)])];
  const primaryCookie = cookies.primarySessionAffinityCookie;
  if (primaryCookie) {
    const intervalSeconds = Math.floor(analysisIntervalMs(canary.spec.analysis) / 1000);
    primary.headers = addSetCookie(undefined, setCookieValue(affinity, primaryCookie, intervalSeconds));
    sticky.push(stickyTo(STICKY_PRIMARY_ROUTE, primaryCookie, [dest.primary(TOTAL_WEIGHT), dest.canary(0)]));
  }
  return sticky;
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

/** The split a VirtualService holds: the last route with a canary destination (the weighted one). */
export function readRoutes(canary: Canary, spec: VirtualServiceSpec | undefined): Routes | undefined {
  const names = serviceNames(canary.spec);
  const tcp = isTcp(requireService(canary));
  const candidates: (HttpRoute | TcpRoute)[] = (tcp ? spec?.tcp : spec?.http) ?? [];
  const weighted = candidates.findLast(r => r.route?.some(d => d.destination.host === names.canary));
  const weightOf = (host: string) => weighted?.route?.find(d => d.destination.host === host)?.weight ?? 0;
  const primaryWeight = weightOf(names.primary);
  const canaryWeight = weightOf(names.canary);
  if (primaryWeight === 0 && canaryWeight === 0) return undefined;
  const mirrored = !tcp && weighted !== undefined && 'mirror' in weighted && !!weighted.mirror?.host;
  return { primaryWeight, canaryWeight, mirrored };
}
