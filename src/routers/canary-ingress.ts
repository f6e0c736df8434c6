// The canary Ingress that the NGINX and Skipper routers generate next to the user's Ingress (spec.ingressRef):
// a copy named `<ingressRef>-canary` whose paths are rewritten by the provider and whose annotations carry the
// provider's traffic settings. The user's Ingress is never changed.
import type { Canary } from '../api/canary.ts';
import { serviceNames } from '../api/defaults.ts';
import { KUBECTL_ANNOTATION, canaryOwnerReference, withFluxAnnotations } from '../api/generated-objects.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { canaryLogger } from './generated-metadata.ts';
import { semanticallyEqual } from './semantic-equal.ts';
import { sameMap } from './service-spec.ts';
import { upsert } from './upsert.ts';

export const INGRESS_API_VERSION = 'networking.k8s.io/v1';

/** The parts of a networking.k8s.io/v1 Ingress that the routers read; the rest travels untouched. */
export interface IngressBackend {
  service?: { name: string; port?: { name?: string; number?: number } };
  resource?: Record<string, unknown>;
}

export interface IngressPath {
  path?: string;
  pathType?: string;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}

export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  rules?: IngressRule[];
  tls?: { hosts?: string[]; secretName?: string }[];
}

export interface Ingress extends KubeObject {
  spec?: IngressSpec;
}

export type Annotations = Record<string, string>;

/** What a provider makes of the user's Ingress. */
export interface CanaryIngressLayout {
  /** Rewrites the paths of (a copy of) the user's spec; false when no path routes to the apex Service. */
  rewrite: (spec: IngressSpec) => boolean;
  /**
   * The canary Ingress's annotations from the user's (kubectl's last applied copy left out) and, when the
   * canary Ingress exists, its current ones, which hold the traffic settings to keep.
   */
  annotations: (user: Annotations, current: Annotations | undefined) => Annotations;
}

export interface CanaryIngressDeps {
  kube: KubeClient;
  logger: Logger;
  setOwnerRefs: boolean;
}

/** spec.ingressRef.name; Flagger's error when it is missing. */
export function ingressRefName(canary: Canary): string {
  const name = canary.spec.ingressRef?.name ?? '';
  if (name === '') throw new Error('ingress selector is empty');
  return name;
}

export function canaryIngressRef(canary: Canary): ObjectRef {
  return {
    apiVersion: INGRESS_API_VERSION,
    kind: 'Ingress',
    name: `${ingressRefName(canary)}-canary`,
    namespace: canary.metadata.namespace,
  };
}

/** The paths of every HTTP rule (rules without `http` route nothing; Flagger dereferences them and panics). */
export function httpPaths(spec: IngressSpec): IngressPath[][] {
  return (spec.rules ?? []).flatMap(rule => (rule.http ? [rule.http.paths] : []));
}

/** Creates the canary Ingress from the user's, or brings its spec and annotations up to date. */
export async function reconcileCanaryIngress(
  deps: CanaryIngressDeps,
  canary: Canary,
  layout: CanaryIngressLayout,
): Promise<void> {
  const name = ingressRefName(canary);
  const namespace = canary.metadata.namespace ?? '';
  const user = await deps.kube.get<Ingress>({
    apiVersion: INGRESS_API_VERSION,
    kind: 'Ingress',
    name,
    namespace,
  });
  const spec = structuredClone(user.spec ?? {});
  if (!layout.rewrite(spec)) {
    throw new Error(`backend ${serviceNames(canary.spec).apex} not found in ingress ${name}`);
  }
  const userAnnotations = withoutKubectl(user.metadata?.annotations);
  const ref = canaryIngressRef(canary);
  const result = await upsert<Ingress>(deps.kube, {
    ref,
    create: () => ({
      apiVersion: INGRESS_API_VERSION,
      kind: 'Ingress',
      metadata: {
        name: ref.name,
        namespace,
        ...(user.metadata?.labels ? { labels: user.metadata.labels } : {}),
        annotations: withFluxAnnotations(layout.annotations(userAnnotations, undefined)),
        ...(deps.setOwnerRefs ? { ownerReferences: [canaryOwnerReference(canary)] } : {}),
      },
      spec,
    }),
    update: current => {
      const meta = (current.metadata ??= {});
      const annotations = withFluxAnnotations(layout.annotations(userAnnotations, meta.annotations ?? {}));
      if (semanticallyEqual(spec, current.spec) && sameMap(annotations, meta.annotations)) return false;
      current.spec = spec;
      meta.annotations = annotations;
      return true;
    },
  });
  if (result !== 'unchanged') {
    canaryLogger(deps.logger, canary).info(`Ingress ${ref.name}.${namespace} ${result}`);
  }
}

/** Changes the canary Ingress's annotations (the traffic settings), retrying on conflicts. */
export async function updateCanaryIngressAnnotations(
  kube: KubeClient,
  canary: Canary,
  change: (current: Annotations) => Annotations,
): Promise<void> {
  await kube.modify<Ingress>(canaryIngressRef(canary), current => {
    const meta = (current.metadata ??= {});
    meta.annotations = change(meta.annotations ?? {});
    return true;
  });
}

/**
 * The user's annotations without kubectl's last applied copy: that one describes the user's Ingress, and a
 * canary Ingress carrying it could be mistaken for (or reverted to) it. Flagger's NGINX router drops it too.
 */
function withoutKubectl(annotations: Annotations | undefined): Annotations {
  return Object.fromEntries(Object.entries(annotations ?? {}).filter(([key]) => key !== KUBECTL_ANNOTATION));
}
