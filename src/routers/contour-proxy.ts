// The Contour HTTPProxy `<svc>` as pure functions: the spec for a split (one weighted route, or for A/B tests a
// header route in front of a default route), and how the split is read back.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import type { KubeObject } from '../kube/types.ts';
import { requireService } from './service-spec.ts';
import type { Routes } from './types.ts';

export const CONTOUR_API_VERSION = 'projectcontour.io/v1';

export interface HeaderCondition {
  name: string;
  exact?: string;
  contains?: string;
}

export interface MatchCondition {
  prefix?: string;
  header?: HeaderCondition;
}

export interface ProxyService {
  name: string;
  port: number;
  /** Omitted at 0, as Go's omitempty writes it. */
  weight?: number;
  requestHeadersPolicy?: { set?: { name: string; value: string }[] };
}

export interface ProxyRoute {
  conditions?: MatchCondition[];
  services?: ProxyService[];
  timeoutPolicy?: { response?: string; idle?: string };
  retryPolicy?: { count: number; perTryTimeout?: string; retryOn?: string[] };
}

export interface HttpProxySpec {
  ingressClassName?: string;
  routes?: ProxyRoute[];
}

export interface HttpProxy extends KubeObject {
  spec?: HttpProxySpec;
}

/** The spec that routes `routes`; ingressClass (-ingress-class) is set when not empty. */
export function httpProxySpec(canary: Canary, routes: Routes, ingressClass: string): HttpProxySpec {
  const prefix: MatchCondition[] = [{ prefix: routePrefix(canary) }];
  const weighted = route(canary, headerConditions(canary) ?? prefix, routes);
  const ab = (canary.spec.analysis.match?.length ?? 0) > 0;
  return {
    ...(ingressClass === '' ? {} : { ingressClassName: ingressClass }),
    routes: ab ? [weighted, route(canary, prefix, { primaryWeight: 100, canaryWeight: 0 })] : [weighted],
  };
}

/** The split of the first route, or undefined when it does not hold the primary and canary Services. */
export function readRoutes(canary: Canary, spec: HttpProxySpec | undefined): Routes | undefined {
  const services = spec?.routes?.[0]?.services ?? [];
  const primary = services.find(service => service.name === serviceNames(canary.spec).primary);
  if (services.length < 2 || primary === undefined) return undefined;
  const primaryWeight = primary.weight ?? 0;
  return { primaryWeight, canaryWeight: 100 - primaryWeight, mirrored: false };
}

function route(
  canary: Canary,
  conditions: MatchCondition[],
  routes: Pick<Routes, 'primaryWeight' | 'canaryWeight'>,
): ProxyRoute {
  const service = requireService(canary);
  const names = serviceNames(canary.spec);
  const namespace = canary.metadata.namespace ?? '';
  const backend = (name: string, weight: number): ProxyService => ({
    name,
    port: service.port,
    ...(weight === 0 ? {} : { weight }),
    // Lets Linkerd route the request as sent to this Service when Envoy is meshed (Flagger sets it always).
    requestHeadersPolicy: {
      set: [{ name: 'l5d-dst-override', value: `${name}.${namespace}.svc.cluster.local:${service.port}` }],
    },
  });
  const retries = service.retries;
  const retryOn = (retries?.retryOn ?? '')
    .split(',')
    .map(condition => condition.trim())
    .filter(condition => condition !== '');
  return {
    conditions,
    services: [backend(names.primary, routes.primaryWeight), backend(names.canary, routes.canaryWeight)],
    ...(service.timeout ? { timeoutPolicy: { response: service.timeout, idle: '5m' } } : {}),
    ...(retries
      ? {
          retryPolicy: {
            count: retries.attempts ?? 0,
            ...(retries.perTryTimeout ? { perTryTimeout: retries.perTryTimeout } : {}),
            ...(retryOn.length > 0 ? { retryOn } : {}),
          },
        }
      : {}),
  };
}

/** service.match[0].uri.prefix, else "/". */
function routePrefix(canary: Canary): string {
  return requireService(canary).match?.[0]?.uri?.prefix || '/';
}

/**
 * The A/B route's conditions, or undefined without analysis.match: one per header, exact, or `contains` for a
 * prefix or suffix (Contour has neither); a regex is not supported and leaves only the header name, as in
 * Flagger. Quirk fixed: Flagger puts the path prefix in every condition, and Contour rejects a route with more
 * than one prefix, so two headers broke the HTTPProxy; we put it in the first condition only.
 */
function headerConditions(canary: Canary): MatchCondition[] | undefined {
  const matches = canary.spec.analysis.match ?? [];
  if (matches.length === 0) return undefined;
  const headers = matches.flatMap(match =>
    Object.entries(match.headers ?? {}).map(([name, m]): HeaderCondition => {
      const contains = m.prefix || m.suffix;
      if (contains) return { name, contains };
      return m.exact ? { name, exact: m.exact } : { name };
    }),
  );
  const prefix = routePrefix(canary);
  return headers.length === 0
    ? [{ prefix }]
    : headers.map((header, index) => (index === 0 ? { prefix, header } : { header }));
}
