// Provider name → Router: every provider Flagger's CRD accepts has one, which the compiler checks.
import { PROVIDERS, parseProvider, type ParsedProvider, type Provider } from '../api/providers.ts';
import { ApisixRouter } from './apisix.ts';
import { AppMeshV1beta1Router } from './appmesh-v1beta1.ts';
import { AppMeshV1beta2Router } from './appmesh-v1beta2.ts';
import { ContourRouter } from './contour.ts';
import { gatewayApiV1Router, gatewayApiV1beta1Router } from './gateway-api.ts';
import { GlooRouter } from './gloo.ts';
import { IstioRouter } from './istio.ts';
import { KnativeRouter } from './knative.ts';
import { KubernetesRouter } from './kubernetes.ts';
import { KumaRouter } from './kuma.ts';
import { NginxRouter } from './nginx.ts';
import { SkipperRouter } from './skipper.ts';
import { SmiRouter, linkerdRouter, osmRouter } from './smi.ts';
import { TraefikRouter } from './traefik.ts';
import type { Router, RouterDeps } from './types.ts';

/** Builds a router; `parsed` carries the optional target mesh of compound names such as smi:v1alpha3:istio. */
type RouterFactory = (deps: RouterDeps, parsed: ParsedProvider) => Router;

const routers: Record<Provider, RouterFactory> = {
  apisix: deps => new ApisixRouter(deps),
  // As in Flagger: `appmesh` is App Mesh's v1beta1 API, `appmesh:v1beta2` the current one.
  appmesh: deps => new AppMeshV1beta1Router(deps),
  'appmesh:v1beta2': deps => new AppMeshV1beta2Router(deps),
  contour: deps => new ContourRouter(deps),
  'gatewayapi:v1': deps => gatewayApiV1Router(deps),
  'gatewayapi:v1beta1': deps => gatewayApiV1beta1Router(deps),
  gloo: deps => new GlooRouter(deps),
  istio: deps => new IstioRouter(deps),
  knative: deps => new KnativeRouter(deps),
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

/** The providers that have a router: all of them. */
export function supportedRouterProviders(): Provider[] {
  return [...PROVIDERS];
}

/**
 * The router for a provider name (spec.provider or -mesh-provider). Quirk Q3 fixed: Flagger routes an unknown
 * name through Istio; we fail with the names we support.
 */
export function createRouter(provider: string, deps: RouterDeps): Router {
  const parsed = parseProvider(provider);
  if (parsed === undefined) {
    throw new Error(
      `mesh provider "${provider}" is unknown: supported providers are ${supportedRouterProviders().join(', ')}`,
    );
  }
  return routers[parsed.provider](deps, parsed);
}
