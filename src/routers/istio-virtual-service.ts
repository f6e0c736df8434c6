// The Istio VirtualService as a whole: hosts and gateways, the spec for a split, what the reconcile diff
// compares, and how an existing VirtualService (Flagger's or a user's) is brought up to date.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import { controllingCanary } from './generated-metadata.ts';
import { KUBECTL_ANNOTATION, withFluxAnnotations } from '../api/generated-objects.ts';
import { ISTIO_API_VERSION, type VirtualService, type VirtualServiceSpec } from './istio-types.ts';
import { isStickyRoute, routeLayout, type RouteLayout } from './istio-routes.ts';
import { semanticallyEqual, withoutRepeats } from './semantic-equal.ts';
import { sameMap, requireService } from './service-spec.ts';
import { stickyCookieNames, type AffinityCookies } from './session-affinity.ts';
import type { Routes } from './types.ts';

/** Where Flagger keeps the spec of a VirtualService it took over, when kubectl's annotation is not there. */
export const ORIGINAL_CONFIGURATION_ANNOTATION = 'flagger.kubernetes.io/original-configuration';

/** Why the canary cannot have a VirtualService, or undefined. */
export function virtualServiceProblem(canary: Canary): string | undefined {
  const service = requireService(canary);
  if (
    service.delegation === true &&
    ((service.hosts?.length ?? 0) > 0 || (service.gateways?.length ?? 0) > 0)
  ) {
    const name = `${serviceNames(canary.spec).apex}.${canary.metadata.namespace ?? ''}`;
    return `VirtualService ${name} cannot have hosts and gateways when delegation enabled`;
  }
  return undefined;
}

/**
 * The spec for a split: hosts (apex added), gateways (default mesh) or none for a delegate, and the routes
 * (routeLayout: without cookies, no session affinity routes).
 */
export function virtualServiceSpec(
  canary: Canary,
  routes: Routes,
  cookies: AffinityCookies | undefined,
): VirtualServiceSpec {
  const service = requireService(canary);
  const layout = routeLayout(canary, routes, cookies);
  if (service.delegation === true) return layout;
  const apex = serviceNames(canary.spec).apex;
  const hosts = service.hosts ?? [];
  const gateways = service.gateways ?? [];
  return {
    hosts: hosts.some(h => h === apex || h === '*') ? hosts : [...hosts, apex],
    gateways: gateways.length > 0 ? gateways : ['mesh'],
    ...layout,
  };
}

/** A new VirtualService; the caller adds the owner reference. */
export function newVirtualService(canary: Canary, spec: VirtualServiceSpec): VirtualService {
  const apex = requireService(canary).apex;
  return {
    apiVersion: ISTIO_API_VERSION,
    kind: 'VirtualService',
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
 * Brings an existing VirtualService up to `desired` in place; false when nothing changed. The diff ignores
 * weights, mirrors and (with session affinity) the sticky routes and destination headers, and a rewrite keeps
 * the current split: `rebuild` makes the spec for it. Flagger resets the split to 100/0 here, which moves
 * traffic mid-analysis when the canary's service settings change.
 */
export function updateVirtualService(
  current: VirtualService,
  canary: Canary,
  desired: VirtualServiceSpec,
  rebuild: () => RouteLayout,
): boolean {
  const meta = (current.metadata ??= {});
  const apex = requireService(canary).apex;
  const annotations = desiredAnnotations(apex?.annotations, meta.annotations);
  const specChanged = !semanticallyEqual(comparable(desired, canary), comparable(current.spec ?? {}, canary));
  if (specChanged && annotations[KUBECTL_ANNOTATION] === undefined && isTakeover(current, canary)) {
    // Quirk fixed: Flagger stores the pre-update spec on every spec change, so a second change overwrites the
    // user's original with Flagger's own routes; we store it once, and never for our own VirtualService.
    annotations[ORIGINAL_CONFIGURATION_ANNOTATION] ??= JSON.stringify(current.spec ?? {});
  }
  const labels = apex?.labels ?? {};
  if (!specChanged && sameMap(labels, meta.labels) && sameMap(annotations, meta.annotations)) return false;
  meta.labels = labels;
  meta.annotations = annotations;
  if (specChanged) current.spec = { ...desired, ...rebuild() };
  return true;
}

/** service.apex annotations with the Flux ones, keeping the current annotations that hold the original spec. */
function desiredAnnotations(
  apex: Record<string, string> | undefined,
  current: Record<string, string> | undefined,
): Record<string, string> {
  const annotations = withFluxAnnotations(apex);
  for (const key of [KUBECTL_ANNOTATION, ORIGINAL_CONFIGURATION_ANNOTATION]) {
    const value = current?.[key];
    if (value !== undefined) annotations[key] = value;
  }
  return annotations;
}

/** A VirtualService this canary does not control (with setOwnerRefs off, ours look like this too, as in Flagger). */
function isTakeover(current: VirtualService, canary: Canary): boolean {
  return controllingCanary(current.metadata) !== canary.metadata.name;
}

/**
 * What the reconcile diff compares. With session affinity, the cookie routes and destination headers are left
 * out, as in Flagger, and so is the copy of the weighted route that precedes it at weight 0 without a cookie.
 */
function comparable(spec: VirtualServiceSpec, canary: Canary): unknown {
  const cookieNames = stickyCookieNames(canary.spec.analysis.sessionAffinity);
  const sessionAffinity = cookieNames.length > 0;
  const withoutWeights = <T extends { route?: { weight?: number; headers?: unknown }[] }>(r: T) => ({
    ...r,
    route: r.route?.map(d => ({ ...d, weight: undefined, headers: sessionAffinity ? undefined : d.headers })),
  });
  const http = (spec.http ?? [])
    .filter(r => !isStickyRoute(r, cookieNames))
    .map(r => ({ ...withoutWeights(r), mirror: undefined, mirrorPercentage: undefined }));
  return { ...spec, http: sessionAffinity ? withoutRepeats(http) : http, tcp: spec.tcp?.map(withoutWeights) };
}
