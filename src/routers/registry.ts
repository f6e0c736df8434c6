// Provider name → Router. Providers arrive one file at a time; until a provider has an entry here, asking for
// it is an error that says which ones exist.
import { PROVIDERS, parseProvider, type Provider } from '../api/providers.ts';
import { ContourRouter } from './contour.ts';
import { gatewayApiV1Router, gatewayApiV1beta1Router } from './gateway-api.ts';
import { IstioRouter } from './istio.ts';
import { KubernetesRouter } from './kubernetes.ts';
import { NginxRouter } from './nginx.ts';
import { SkipperRouter } from './skipper.ts';
import { TraefikRouter } from './traefik.ts';
import type { Router, RouterDeps } from './types.ts';

type RouterFactory = (deps: RouterDeps) => Router;

const routers: Partial<Record<Provider, RouterFactory>> = {
  contour: deps => new ContourRouter(deps),
  'gatewayapi:v1': deps => gatewayApiV1Router(deps),
  'gatewayapi:v1beta1': deps => gatewayApiV1beta1Router(deps),
  istio: deps => new IstioRouter(deps),
  kubernetes: () => new KubernetesRouter(),
  nginx: deps => new NginxRouter(deps),
  skipper: deps => new SkipperRouter(deps),
  traefik: deps => new TraefikRouter(deps),
};

/** The providers that have a router. */
export function supportedRouterProviders(): Provider[] {
  return PROVIDERS.filter(provider => routers[provider] !== undefined);
}

/**
 * The router for a provider name (spec.provider or -mesh-provider). Quirk Q3 fixed: Flagger routes an unknown
 * name through Istio; we fail with the names we support.
 */
export function createRouter(provider: string, deps: RouterDeps): Router {
  const parsed = parseProvider(provider);
  const factory = parsed === undefined ? undefined : routers[parsed.provider];
  if (factory === undefined) {
    const known = parsed === undefined ? 'unknown' : 'not supported';
    throw new Error(
      `mesh provider "${provider}" is ${known}: supported providers are ${supportedRouterProviders().join(', ')}`,
    );
  }
  return factory(deps);
}
