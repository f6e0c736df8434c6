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
