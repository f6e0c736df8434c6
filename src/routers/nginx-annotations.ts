// The NGINX canary Ingress's annotations (`<prefix>/canary*`, prefix from -ingress-annotations-prefix): how a
// split or an A/B test is written into them, and how the split is read back.
import type { Canary } from '../api/canary.ts';
import { KUBECTL_ANNOTATION } from '../api/generated-objects.ts';
import type { Annotations } from './canary-ingress.ts';
import type { Routes } from './types.ts';

type Suffix =
  | 'canary'
  | 'canary-weight'
  | 'canary-by-header'
  | 'canary-by-header-value'
  | 'canary-by-header-pattern'
  | 'canary-by-cookie';

export function nginxAnnotation(prefix: string, suffix: Suffix): string {
  return `${prefix}/${suffix}`;
}

/**
 * annotations without any `<prefix>/canary*` key (Flagger matches the keys by substring) and without kubectl's
 * copy, and the canary switched off: what the canary Ingress starts with and returns to at weight 0.
 */
export function disabledCanary(prefix: string, annotations: Annotations): Annotations {
  const canaryKey = nginxAnnotation(prefix, 'canary');
  const kept = Object.entries(annotations).filter(
    ([key]) => !key.includes(canaryKey) && key !== KUBECTL_ANNOTATION,
  );
  return { ...Object.fromEntries(kept), [canaryKey]: 'false' };
}

/** The annotations that route `canaryWeight` (by weight, or by the A/B conditions) to the canary. */
export function routedAnnotations(
  prefix: string,
  canary: Canary,
  canaryWeight: number,
  current: Annotations,
): Annotations {
  if (canaryWeight <= 0) return disabledCanary(prefix, current);
  const on = { [nginxAnnotation(prefix, 'canary')]: 'true' };
  if (!isAbTest(canary)) {
    return { ...current, [nginxAnnotation(prefix, 'canary-weight')]: String(canaryWeight), ...on };
  }
  // Quirk fixed: Flagger drops the old canary annotations by *value* here, so none is ever dropped and the
  // conditions of an earlier A/B test linger; we drop them by key (as Flagger does everywhere else).
  return { ...disabledCanary(prefix, current), ...on, ...abConditions(prefix, canary) };
}

/**
 * The split the annotations route: an A/B test whose header or cookie annotations are present sends matching
 * traffic to the canary (0/100); otherwise canary-weight, absent meaning 0.
 */
export function readRoutes(prefix: string, canary: Canary, annotations: Annotations): Routes {
  const abKeys = [nginxAnnotation(prefix, 'canary-by-cookie'), nginxAnnotation(prefix, 'canary-by-header')];
  if (isAbTest(canary) && abKeys.some(key => annotations[key] !== undefined)) {
    return { primaryWeight: 0, canaryWeight: 100, mirrored: false };
  }
  const text = annotations[nginxAnnotation(prefix, 'canary-weight')];
  // strconv.Atoi's syntax: an optional sign and decimal digits.
  if (text !== undefined && !/^[+-]?\d+$/.test(text)) throw new Error(`failed to convert ${text} to int`);
  const canaryWeight = text === undefined ? 0 : Number(text);
  return { primaryWeight: 100 - canaryWeight, canaryWeight, mirrored: false };
}

function isAbTest(canary: Canary): boolean {
  return (canary.spec.analysis.match?.length ?? 0) > 0;
}

/**
 * analysis.match as NGINX canary annotations: a `cookie` header's exact value names the cookie; any other
 * header gives the header name and its exact value or regex. NGINX takes one header and one cookie: as in
 * Flagger the last one listed wins (Flagger iterates a Go map, so which one is random there).
 */
function abConditions(prefix: string, canary: Canary): Annotations {
  let cookie = '';
  let header = { name: '', exact: '', regex: '' };
  for (const match of canary.spec.analysis.match ?? []) {
    for (const [name, condition] of Object.entries(match.headers ?? {})) {
      if (name === 'cookie') cookie = condition.exact ?? '';
      else header = { name, exact: condition.exact ?? '', regex: condition.regex ?? '' };
    }
  }
  const values: [Suffix, string][] = [
    ['canary-by-cookie', cookie],
    ['canary-by-header', header.name],
    ['canary-by-header-value', header.exact],
    ['canary-by-header-pattern', header.regex],
  ];
  return Object.fromEntries(
    values
      .filter(([, value]) => value !== '')
      .map(([suffix, value]) => [nginxAnnotation(prefix, suffix), value]),
  );
}
