// Session affinity cookies (inventory 4.3): which cookies a traffic split uses, and the Set-Cookie values and
// Cookie matches the routes carry. Mesh-neutral, so the Gateway API router can share it.
import { randomInt } from 'node:crypto';
import type { SessionAffinity } from '../api/canary.ts';
import { sessionAffinityMaxAge } from '../api/defaults.ts';
import type { HttpMatch } from './istio-types.ts';
import type { RouterStatus } from './types.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const VALUE_LENGTH = 10;

/** The cookies of a split; '' means none. */
export type AffinityCookies = Required<{ [K in keyof RouterStatus]: string }>;

/** A random cookie value: 10 letters, as Flagger's. */
export function randomCookieValue(): string {
  let value = '';
  for (let i = 0; i < VALUE_LENGTH; i++) value += LETTERS.charAt(randomInt(LETTERS.length));
  return value;
}

/** The cookies recorded in the status, without any change. */
export function currentCookies(status: RouterStatus | undefined): AffinityCookies {
  return {
    sessionAffinityCookie: status?.sessionAffinityCookie ?? '',
    primarySessionAffinityCookie: status?.primarySessionAffinityCookie ?? '',
    previousSessionAffinityCookie: status?.previousSessionAffinityCookie ?? '',
  };
}

/**
 * The cookies for a new split. While the canary gets traffic, the status cookies are kept, or generated when
 * missing (or named after a former cookieName). At weight 0 the run is over: the canary cookie becomes the
 * previous one, which the routes then expire, and the primary cookie is dropped.
 */
export function nextCookies(
  affinity: SessionAffinity,
  status: RouterStatus | undefined,
  canaryWeight: number,
  newValue: () => string = randomCookieValue,
): AffinityCookies {
  const current = currentCookies(status);
  if (canaryWeight === 0) {
    return {
      sessionAffinityCookie: '',
      primarySessionAffinityCookie: '',
      previousSessionAffinityCookie: current.sessionAffinityCookie || current.previousSessionAffinityCookie,
    };
  }
  const cookie = (name: string, existing: string) =>
    existing.startsWith(`${name}=`) ? existing : `${name}=${newValue()}`;
  const primaryName = affinity.primaryCookieName ?? '';
  return {
    sessionAffinityCookie: cookie(affinity.cookieName, current.sessionAffinityCookie),
    primarySessionAffinityCookie: primaryName
      ? cookie(primaryName, current.primarySessionAffinityCookie)
      : '',
    previousSessionAffinityCookie: current.previousSessionAffinityCookie,
  };
}

/** A Set-Cookie value: `<cookie>; Max-Age=<n>` then the attributes in Flagger's order. */
export function setCookieValue(
  affinity: SessionAffinity,
  cookie: string,
  maxAge: number = sessionAffinityMaxAge(affinity),
): string {
  const parts = [cookie, `Max-Age=${maxAge}`];
  if (affinity.domain) parts.push(`Domain=${affinity.domain}`);
  if (affinity.httpOnly === true) parts.push('HttpOnly');
  if (affinity.partitioned === true) parts.push('Partitioned');
  if (affinity.path) parts.push(`Path=${affinity.path}`);
  if (affinity.sameSite) parts.push(`SameSite=${affinity.sameSite}`);
  if (affinity.secure === true) parts.push('Secure');
  return parts.join('; ');
}

/** The Set-Cookie value that makes clients drop `cookie`. */
export function expiredCookieValue(cookie: string): string {
  return `${cookie}; Max-Age=-1`;
}

/** A match on requests carrying `cookie` (`name=value`): Flagger's `.*name.*value.*` regex on Cookie. */
export function cookieMatch(cookie: string): HttpMatch {
  const split = cookie.indexOf('=');
  const name = split < 0 ? cookie : cookie.slice(0, split);
  const value = split < 0 ? '' : cookie.slice(split + 1);
  return { headers: { Cookie: { regex: `.*${name}.*${value}.*` } } };
}

/** The cookie names whose Cookie matches mark a route as sticky (none without session affinity). */
export function stickyCookieNames(affinity: SessionAffinity | undefined): string[] {
  return affinity ? [affinity.cookieName, affinity.primaryCookieName ?? ''].filter(name => name !== '') : [];
}

/**
 * True for the Cookie regex of a sticky route. Flagger tells sticky routes apart by the cookie name in their
 * regex, the routes having no names.
 */
export function isStickyCookieRegex(regex: string | undefined, cookieNames: readonly string[]): boolean {
  return regex !== undefined && cookieNames.some(name => name !== '' && regex.includes(name));
}
