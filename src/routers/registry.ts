// Provider name → Router. Providers arrive one file at a time; until a provider has an entry here, asking for
// it is an error that says which ones exist.
import { PROVIDERS, parseProvider, type ParsedProvider, type Provider } from '../api/providers.ts';
import { ApisixRouter } from './apisix.ts';
import { ContourRouter } from './contour.ts';
import { gatewayApiV1Router, gatewayApiV1beta1Router } from './gateway-api.ts';
import { GlooRouter } from './gloo.ts';
import { IstioRouter } from './istio.ts';
import { KubernetesRouter } from './kubernetes.ts';
import { KumaRouter } from './kuma.ts';
import { NginxRouter } from './nginx.ts';
import { SkipperRouter } from './skipper.ts';
import { SmiRouter, linkerdRouter, osmRouter } from './smi.ts';
import { TraefikRouter } from './traefik.ts';
import type { Router, RouterDeps } from './types.ts';

/** Builds a router; `parsed` carries the optional target mesh of compound names such as smi:v1alpha3:istio. */
type RouterFactory = (deps: RouterDeps, parsed: ParsedProvider) => Router;

const routers: Partial<Record<Provider, RouterFactory>> = {
  apisix: deps => new ApisixRouter(deps),
  contour: deps => new ContourRouter(deps),
  'gatewayapi:v1': deps => gatewayApiV1Router(deps),
  'gatewayapi:v1beta1': deps => gatewayApiV1beta1Router(deps),
  gloo: deps => new GlooRouter(deps),
  istio: deps => new IstioRouter(deps),
  kubernetes: () => new KubernetesRouter(),
  kuma: deps => new KumaRouter(deps),
  linkerd: deps => linkerdRouter(deps),
  nginx: deps => new NginxRouter(deps),
  osm: deps => osmRouter(deps),
  skipper: deps => new SkipperRouter(deps),
  'smi:v1alpha1': (deps, parsed) => new SmiRouter(deps, { version: 'v1alpha1', mesh: parsed.mesh }),
  'smi:v1alpha2': (deps, parsed) => new SmiRouter(deps, { version: 'v1alpha2', mesh: parsed.mesh }),
  'smi:v1alpha3': (deps, parsed) => new SmiRouter(deps, { version: 'v1alpha3', mesh: parsed.mesh }),
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
  if (parsed === undefined || factory === undefined) {
    const known = parsed === undefined ? 'unknown' : 'not supported';
    throw new Error(
      `mesh provider "${provider}" is ${known}: supported providers are ${supportedRouterProviders().join(', ')}`,
    );
  }
  return factory(deps, parsed);
}
