// HTTPRoute filters (Flagger's makeFilters): header modifiers from service.headers, the URL rewrite, the
// service.mirror request mirrors and (v1) CORS on every rule; the blue/green mirror to the canary; and the
// Set-Cookie response headers of session affinity.
import type { Canary, CanaryService } from '../api/canary.ts';
import { mirrorBackendRef, rewriteType, serviceNames } from '../api/defaults.ts';
import { parseDuration } from '../api/duration.ts';
import type { CorsFilter, HeaderModifier, NameValue, RouteFilter } from './gateway-api-types.ts';
import { requireService } from './service-spec.ts';

const SET_COOKIE = 'Set-Cookie';
const REQUEST_MIRROR = 'RequestMirror';
const RESPONSE_HEADER_MODIFIER = 'ResponseHeaderModifier';

type HeaderOperations = NonNullable<NonNullable<CanaryService['headers']>['request']>;
type CorsPolicy = NonNullable<CanaryService['corsPolicy']>;

/** The filters every generated rule carries, in Flagger's order; `cors` is false for v1beta1. */
export function serviceFilters(service: CanaryService, cors: boolean): RouteFilter[] {
  const filters: RouteFilter[] = [];
  const { request, response } = service.headers ?? {};
  if (request)
    filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: headerModifier(request) });
  if (response)
    filters.push({ type: RESPONSE_HEADER_MODIFIER, responseHeaderModifier: headerModifier(response) });
  if (service.rewrite) {
    const { uri, authority } = service.rewrite;
    const type = rewriteType(service.rewrite);
    const path =
      type === 'ReplaceFullPath' ? { type, replaceFullPath: uri } : { type, replacePrefixMatch: uri };
    filters.push({
      type: 'URLRewrite',
      urlRewrite: { ...(authority ? { hostname: authority } : {}), ...(uri ? { path } : {}) },
    });
  }
  for (const mirror of service.mirror ?? []) {
    filters.push({ type: REQUEST_MIRROR, requestMirror: { backendRef: mirrorBackendRef(mirror) } });
  }
  if (cors && service.corsPolicy) filters.push({ type: 'CORS', cors: corsFilter(service.corsPolicy) });
  return filters;
}

/** add and set sorted by name (then value), as Flagger sorts them; remove as given. */
function headerModifier(operations: HeaderOperations): HeaderModifier {
  const sorted = (map: Record<string, string>): NameValue[] =>
    Object.entries(map)
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => compare(a.name, b.name) || compare(a.value, b.value));
  const modifier: HeaderModifier = {};
  if (operations.add && Object.keys(operations.add).length > 0) modifier.add = sorted(operations.add);
  if (operations.set && Object.keys(operations.set).length > 0) modifier.set = sorted(operations.set);
  if (operations.remove?.length) modifier.remove = [...operations.remove];
  return modifier;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The CORS filter: allowOrigin becomes allowOrigins; maxAge, a Go duration, becomes whole seconds. */
function corsFilter(policy: CorsPolicy): CorsFilter {
  const cors: CorsFilter = {};
  if (policy.allowOrigin?.length) cors.allowOrigins = [...policy.allowOrigin];
  if (policy.allowMethods?.length) cors.allowMethods = [...policy.allowMethods];
  if (policy.allowHeaders?.length) cors.allowHeaders = [...policy.allowHeaders];
  if (policy.exposeHeaders?.length) cors.exposeHeaders = [...policy.exposeHeaders];
  const maxAgeMs = policy.maxAge ? parseDuration(policy.maxAge) : undefined;
  if (maxAgeMs !== undefined) cors.maxAge = Math.trunc(maxAgeMs / 1000);
  if (policy.allowCredentials !== undefined) cors.allowCredentials = policy.allowCredentials;
  return cors;
}

/** What of service.corsPolicy the CORS filter cannot carry (Flagger logs these as errors and goes on). */
export function corsProblems(service: CanaryService): string[] {
  const policy = service.corsPolicy;
  const problems: string[] = [];
  if (policy?.allowOrigins?.length) {
    problems.push('corsPolicy.allowOrigins is not supported by the Gateway API CORS filter, use allowOrigin');
  }
  if (policy?.maxAge && parseDuration(policy.maxAge) === undefined) {
    problems.push(`corsPolicy.maxAge ${policy.maxAge} is not a valid duration`);
  }
  return problems;
}

/** The blue/green mirror of the primary's traffic to `<svc>-canary`. */
export function canaryMirrorFilter(canary: Canary): RouteFilter {
  const backendRef = {
    group: '',
    kind: 'Service',
    name: serviceNames(canary.spec).canary,
    port: requireService(canary).port,
  };
  return { type: REQUEST_MIRROR, requestMirror: { backendRef } };
}

/** True for a mirror to the Service `name`. */
export function mirrorsTo(filter: RouteFilter, name: string): boolean {
  return filter.type === REQUEST_MIRROR && filter.requestMirror?.backendRef.name === name;
}

/**
 * filters plus a response Set-Cookie header, as a new list. Flagger appends a second ResponseHeaderModifier
 * when service.headers.response already made one, which the Gateway API rejects; we add to that one.
 */
export function withSetCookie(filters: readonly RouteFilter[] | undefined, value: string): RouteFilter[] {
  const header = { name: SET_COOKIE, value };
  const list: RouteFilter[] = structuredClone([...(filters ?? [])]);
  const existing = list.find(filter => filter.type === RESPONSE_HEADER_MODIFIER);
  if (existing === undefined) {
    return [...list, { type: RESPONSE_HEADER_MODIFIER, responseHeaderModifier: { add: [header] } }];
  }
  const modifier = (existing.responseHeaderModifier ??= {});
  modifier.add = [...(modifier.add ?? []), header];
  return list;
}
