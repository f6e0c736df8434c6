// Mesh / ingress provider names (spec.provider and the -mesh-provider flag).

/** The values Flagger's CRD accepts in spec.provider. */
export const PROVIDERS = [
  'apisix',
  'appmesh',
  'appmesh:v1beta2',
  'contour',
  'gatewayapi:v1',
  'gatewayapi:v1beta1',
  'gloo',
  'istio',
  'knative',
  'kubernetes',
  'kuma',
  'linkerd',
  'nginx',
  'osm',
  'skipper',
  'smi:v1alpha1',
  'smi:v1alpha2',
  'smi:v1alpha3',
  'traefik',
] as const;

export type Provider = (typeof PROVIDERS)[number];

export interface ParsedProvider {
  provider: Provider;
  /** The target mesh of an SMI provider written as smi:<version>:<mesh>. */
  mesh?: string;
}

const SMI_WITH_MESH = /^(smi:v1alpha[123]):([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}

/**
 * Reads a provider name. Besides the CRD values this accepts what the -mesh-provider flag may carry:
 * smi:<version>:<mesh>, and a bare `gatewayapi`, which we read as gatewayapi:v1. Anything else is
 * undefined: Flagger silently routes unknown names (bare `gatewayapi` included) through Istio (quirks Q3, Q13);
 * we reject them instead.
 */
export function parseProvider(value: string): ParsedProvider | undefined {
  if (isProvider(value)) return { provider: value };
  if (value === 'gatewayapi') return { provider: 'gatewayapi:v1' };
  const smi = SMI_WITH_MESH.exec(value);
  const version = smi?.[1];
  const mesh = smi?.[2];
  if (version !== undefined && mesh !== undefined && isProvider(version)) return { provider: version, mesh };
  return undefined;
}

/** Why `value` is not a provider name, or undefined when it is one. */
export function providerProblem(value: string): string | undefined {
  if (parseProvider(value) !== undefined) return undefined;
  return `unknown provider "${value}": use one of ${PROVIDERS.join(', ')}, gatewayapi, or smi:<version>:<mesh>`;
}

/** What a provider's router does besides weighted routing and blue/green (Flagger's routers, inventory 4.2). */
export interface ProviderFeatures {
  /** Routes requests matching analysis.match to the canary. */
  abTesting: boolean;
  /** Mirrors traffic to the canary: on every strategy, only with blue/green, or not at all. */
  mirroring: 'always' | 'blue-green' | 'never';
  /** Pins clients to a side with cookies. */
  sessionAffinity: boolean;
  /**
   * The only events service.retries.retryOn may list, where the router's retry policy has a closed set: the
   * API server refuses a routing object with any other. Absent: any event (Istio passes retryOn through).
   */
  retryEvents?: readonly string[];
}

const WEIGHTS_ONLY: ProviderFeatures = { abTesting: false, mirroring: 'never', sessionAffinity: false };
const WITH_MATCH: ProviderFeatures = { abTesting: true, mirroring: 'never', sessionAffinity: false };
const GATEWAY_API: ProviderFeatures = { abTesting: true, mirroring: 'blue-green', sessionAffinity: true };
// httpRetryEvents of App Mesh routes is an enum of these in both the v1beta1 (legacy controller) and v1beta2 CRDs.
const APP_MESH: ProviderFeatures = {
  ...WITH_MATCH,
  retryEvents: ['server-error', 'gateway-error', 'client-error', 'stream-error'],
};

export const PROVIDER_FEATURES: Record<Provider, ProviderFeatures> = {
  istio: { abTesting: true, mirroring: 'always', sessionAffinity: true },
  'gatewayapi:v1': GATEWAY_API,
  'gatewayapi:v1beta1': GATEWAY_API,
  appmesh: APP_MESH,
  'appmesh:v1beta2': APP_MESH,
  contour: WITH_MATCH,
  gloo: WITH_MATCH,
  nginx: WITH_MATCH,
  apisix: WEIGHTS_ONLY,
  knative: WEIGHTS_ONLY,
  kuma: WEIGHTS_ONLY,
  linkerd: WEIGHTS_ONLY,
  osm: WEIGHTS_ONLY,
  skipper: WEIGHTS_ONLY,
  'smi:v1alpha1': WEIGHTS_ONLY,
  'smi:v1alpha2': WEIGHTS_ONLY,
  'smi:v1alpha3': WEIGHTS_ONLY,
  traefik: WEIGHTS_ONLY,
  // Routes nothing: the scheduler forces blue/green and reports A/B and mirroring at run time, as Flagger does.
  kubernetes: { abTesting: true, mirroring: 'always', sessionAffinity: false },
};
