// The Skipper canary Ingress as pure functions: its paths (each apex path sent to `<svc>-primary`, plus a copy
// sent to `<svc>-canary`) and its annotations: `zalando.org/backend-weights` holds the split, and the
// `zalando.org/skipper-predicate` Weight(100) makes its routes win over the user's Ingress's, or False()
// switches them off once the canary gets no traffic.
import type { ServiceNames } from '../api/defaults.ts';
import { canonicalJson } from '../util/hash.ts';
import { httpPaths, type Annotations, type IngressSpec } from './canary-ingress.ts';
import type { Routes } from './types.ts';

export const BACKEND_WEIGHTS_ANNOTATION = 'zalando.org/backend-weights';
export const PREDICATE_ANNOTATION = 'zalando.org/skipper-predicate';
const PREFERRED = 'Weight(100)';
const DISABLED = 'False()';

/**
 * Points each path whose backend is the apex Service at the primary and appends a copy pointing at the
 * canary, at the end of the rule's paths; false when no path routes to the apex. Quirk fixed: Flagger's
 * "backend not found" check compares two pointers and never fires, so it makes a canary Ingress without
 * canary paths; we fail as its NGINX router does.
 */
export function toPrimaryAndCanary(spec: IngressSpec, names: ServiceNames): boolean {
  let found = false;
  for (const paths of httpPaths(spec)) {
    const copies = paths.flatMap(path => {
      if (path.backend.service?.name !== names.apex) return [];
      path.backend.service.name = names.primary;
      const copy = structuredClone(path);
      copy.backend.service = { ...path.backend.service, name: names.canary };
      return [copy];
    });
    found ||= copies.length > 0;
    paths.push(...copies);
  }
  return found;
}

/**
 * The canary Ingress's annotations for the reconcile: the user's, with the current split and predicate kept
 * (100/0 and Weight(100) for a new one). Quirk fixed: Flagger resets them to 100/0 whenever the user's
 * Ingress changes, which moves traffic mid-analysis.
 */
export function reconciledAnnotations(
  user: Annotations,
  current: Annotations | undefined,
  names: ServiceNames,
): Annotations {
  const first = current?.[PREDICATE_ANNOTATION]?.split('&&')[0]?.trim();
  return {
    ...user,
    [BACKEND_WEIGHTS_ANNOTATION]:
      current?.[BACKEND_WEIGHTS_ANNOTATION] ?? backendWeights(names, { primaryWeight: 100, canaryWeight: 0 }),
    [PREDICATE_ANNOTATION]: insertPredicate(
      user[PREDICATE_ANNOTATION],
      first === DISABLED ? DISABLED : PREFERRED,
    ),
  };
}

/** The annotations for a split; at canary weight 0 the canary Ingress's routes are switched off. */
export function routedAnnotations(current: Annotations, names: ServiceNames, routes: Routes): Annotations {
  return {
    ...current,
    [BACKEND_WEIGHTS_ANNOTATION]: backendWeights(names, routes),
    [PREDICATE_ANNOTATION]: insertPredicate(
      current[PREDICATE_ANNOTATION],
      routes.canaryWeight === 0 ? DISABLED : PREFERRED,
    ),
  };
}

/** The split in the backend-weights annotation, which must name both Services with integer weights. */
export function readRoutes(annotations: Annotations, names: ServiceNames): Routes {
  const text = annotations[BACKEND_WEIGHTS_ANNOTATION];
  if (text === undefined) throw new Error(`annotation ${BACKEND_WEIGHTS_ANNOTATION} not found`);
  let weights: unknown;
  try {
    weights = JSON.parse(text);
  } catch {
    throw new Error(`annotation ${BACKEND_WEIGHTS_ANNOTATION} is not valid JSON: ${text}`);
  }
  const weight = (service: string): number => {
    const value = (weights as Record<string, unknown> | null)?.[service];
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new Error(`annotation ${BACKEND_WEIGHTS_ANNOTATION} has no integer weight for ${service}`);
    }
    return value;
  };
  return { primaryWeight: weight(names.primary), canaryWeight: weight(names.canary), mirrored: false };
}

/**
 * `first` in front of the predicates of raw (split on &&), dropping the router's own Weight(100) and False().
 * Flagger's format, " && " between predicates.
 */
export function insertPredicate(raw: string | undefined, first: string): string {
  const others = (raw ?? '')
    .split('&&')
    .map(predicate => predicate.trim())
    .filter(predicate => predicate !== '' && predicate !== PREFERRED && predicate !== DISABLED);
  return [first, ...others].join(' && ');
}

/** The weights as Go's json.Marshal writes a map: compact, keys sorted. */
function backendWeights(names: ServiceNames, routes: Pick<Routes, 'primaryWeight' | 'canaryWeight'>): string {
  return canonicalJson({ [names.primary]: routes.primaryWeight, [names.canary]: routes.canaryWeight });
}
