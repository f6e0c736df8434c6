// Built-in metrics by provider: which mesh's PromQL answers request-success-rate and request-duration for a
// canary. A provider without built-in queries is an error here, where Flagger silently uses Istio's (quirk Q3).
import type { Canary } from '../../api/canary.ts';
import { parseProvider, type Provider } from '../../api/providers.ts';
import { apisixObserver } from './apisix.ts';
import { appMeshObserver } from './appmesh.ts';
import { contourObserver } from './contour.ts';
import { glooObserver } from './gloo.ts';
import { httpObserver } from './http.ts';
import { istioObserver } from './istio.ts';
import { knativeObserver } from './knative.ts';
import { kumaObserver } from './kuma.ts';
import { linkerdObserver } from './linkerd.ts';
import { nginxObserver } from './nginx.ts';
import { osmObserver } from './osm.ts';
import { skipperObserver } from './skipper.ts';
import { traefikObserver } from './traefik.ts';
import type { MeshObserver } from './types.ts';
import { isKnativeService } from '../../api/knative.ts';

const SERVICE_SUFFIX = ':service';

/**
 * Built-in queries per provider. SMI providers have none of their own (see smiMesh), hence Partial; the
 * kubernetes provider and both Gateway API versions share Flagger's HTTP (Gateway API metrics) queries.
 */
export const OBSERVERS: Partial<Record<Provider, MeshObserver>> = {
  apisix: apisixObserver,
  appmesh: appMeshObserver,
  'appmesh:v1beta2': appMeshObserver,
  contour: contourObserver,
  'gatewayapi:v1': httpObserver,
  'gatewayapi:v1beta1': httpObserver,
  gloo: glooObserver,
  istio: istioObserver,
  knative: knativeObserver,
  kubernetes: httpObserver,
  kuma: kumaObserver,
  linkerd: linkerdObserver,
  nginx: nginxObserver,
  osm: osmObserver,
  skipper: skipperObserver,
  traefik: traefikObserver,
};

/**
 * Flagger's name for the metrics provider of a canary, which also appears in the no-values message: the
 * -mesh-provider, overridden by spec.provider, except that a Linkerd mesh provider forces `linkerd`; with
 * `:service` appended for a (non-Knative) Service target.
 */
export function metricsProviderName(canary: Canary, meshProvider: string): string {
  const { provider, targetRef } = canary.spec;
  let name = meshProvider;
  if (provider !== undefined) name = meshProvider.includes('linkerd') ? 'linkerd' : provider;
  const kubernetesService = targetRef.kind === 'Service' && !isKnativeService(targetRef);
  return kubernetesService ? `${name}${SERVICE_SUFFIX}` : name;
}

/** The built-in queries for a metrics provider name; throws when there are none. */
export function observerFor(metricsProvider: string): MeshObserver {
  // Quirk Q11 fixed: Flagger matches most observers by exact name, so "<mesh>:service" falls back to the Istio
  // queries; we drop the suffix and use the mesh's own queries.
  const name = metricsProvider.endsWith(SERVICE_SUFFIX)
    ? metricsProvider.slice(0, -SERVICE_SUFFIX.length)
    : metricsProvider;
  const parsed = parseProvider(name);
  if (parsed === undefined) throw new Error(`unknown mesh provider "${name}"`);
  const key = parsed.provider.startsWith('smi:') ? smiMesh(parsed.mesh) : parsed.provider;
  const observer = key === undefined ? undefined : OBSERVERS[key];
  if (observer === undefined) {
    throw new Error(`no built-in metrics for provider "${name}", use a MetricTemplate instead`);
  }
  return observer;
}

/**
 * SMI has no metrics of its own: the target mesh's queries apply. Flagger always uses Istio's there; we do when
 * no target mesh is named.
 */
function smiMesh(mesh: string | undefined): Provider | undefined {
  return mesh === undefined ? 'istio' : parseProvider(mesh)?.provider;
}
