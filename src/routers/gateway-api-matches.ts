// HTTPRoute matches from the Istio-shaped service.match and analysis.match (Flagger's mapRouteMatches and
// mergeMatchConditions), and the Cookie matches of session affinity.
import type { RouteMatch, HeaderMatch } from './gateway-api-types.ts';
import { cookieMatch, isStickyCookieRegex } from './session-affinity.ts';

type StringMatch = Partial<Record<'exact' | 'prefix' | 'suffix' | 'regex', string>>;

/** The fields of an Istio HTTPMatchRequest (service.match) or analysis.match entry that Gateway API can express. */
export interface MatchSource {
  uri?: StringMatch;
  method?: StringMatch;
  headers?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
}

/** The match of a rule when service.match has none. */
export const DEFAULT_MATCH: RouteMatch = { path: { type: 'PathPrefix', value: '/' } };

export const COOKIE_HEADER = 'Cookie';

/**
 * The matches for `sources`; entries with nothing Gateway API can express are dropped. Throws on selectors it
 * cannot express (a uri or method without a usable value, header or query matches other than exact and regex).
 */
export function routeMatches(sources: readonly MatchSource[] | undefined): RouteMatch[] {
  return (sources ?? []).map(routeMatch).filter(match => Object.keys(match).length > 0);
}

function routeMatch(source: MatchSource): RouteMatch {
  const match: RouteMatch = {};
  if (source.uri !== undefined) match.path = pathMatch(source.uri);
  if (source.method !== undefined) {
    if (!source.method.exact) throw unsupported('method', source.method);
    match.method = source.method.exact;
  }
  const headers = valueMatches('header', source.headers);
  if (headers.length > 0) match.headers = headers;
  const queryParams = valueMatches('query', source.queryParams);
  if (queryParams.length > 0) match.queryParams = queryParams;
  return match;
}

function pathMatch(uri: StringMatch): NonNullable<RouteMatch['path']> {
  // Flagger's precedence when several are set: regex, then exact, then prefix.
  if (uri.regex) return { type: 'RegularExpression', value: uri.regex };
  if (uri.exact) return { type: 'Exact', value: uri.exact };
  if (uri.prefix) return { type: 'PathPrefix', value: uri.prefix };
  throw unsupported('path', uri);
}

/**
 * Header or query parameter matches, sorted by name. Flagger walks the Go map, whose order is random, so its
 * routes change order from one call to the next; sorting keeps the generated route stable.
 */
function valueMatches(kind: string, matches: Record<string, StringMatch> | undefined): HeaderMatch[] {
  return Object.entries(matches ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, match]): HeaderMatch => {
      if (match.exact) return { type: 'Exact', name, value: match.exact };
      if (match.regex) return { type: 'RegularExpression', name, value: match.regex };
      throw unsupported(kind, { [name]: match });
    });
}

function unsupported(kind: string, selector: unknown): Error {
  return new Error(
    `Gateway API doesn't support the specified ${kind} matching selector: ${JSON.stringify(selector)}`,
  );
}

/**
 * Each (analysis, service) pair: the service match with the analysis headers and query parameters, so the
 * conditions only apply to the service's own paths. Either list alone when the other is empty.
 */
export function mergeMatches(analysis: RouteMatch[], service: RouteMatch[]): RouteMatch[] {
  if (analysis.length === 0) return service;
  if (service.length === 0) return analysis;
  return analysis.flatMap(a =>
    service.map(s => ({
      ...structuredClone(s),
      ...(a.headers?.length ? { headers: a.headers } : {}),
      ...(a.queryParams?.length ? { queryParams: a.queryParams } : {}),
    })),
  );
}

/** A match on requests carrying `cookie` (`name=value`), with the regex the Istio router uses. */
export function cookieRouteMatch(cookie: string): RouteMatch {
  const value = cookieMatch(cookie).headers?.[COOKIE_HEADER]?.regex ?? '';
  return { headers: [{ type: 'RegularExpression', name: COOKIE_HEADER, value }] };
}

/** True when a match tests the Cookie header with a regex mentioning one of `cookieNames` (a sticky rule's). */
export function isCookieMatch(match: RouteMatch, cookieNames: readonly string[]): boolean {
  return (match.headers ?? []).some(
    header =>
      header.type === 'RegularExpression' &&
      header.name === COOKIE_HEADER &&
      isStickyCookieRegex(header.value, cookieNames),
  );
}
