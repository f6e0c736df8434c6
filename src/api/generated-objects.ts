// Conventions of every object Flagger generates for a canary (primary workloads and configs, Services, mesh
// objects): the controller reference to the Canary and the annotations that keep Flux from reverting them
// (Flagger's filterMetadata). Targets and routers share them.
import type { Canary } from './canary.ts';
import { API_VERSION } from './crds.ts';

/** kubectl's copy of the last applied manifest: what a taken-over object is reverted to first. */
export const KUBECTL_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Set on every generated object so that Flux neither reconciles nor drift-corrects what Flagger manages. */
export const FLUX_DISABLED_ANNOTATIONS: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
  'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
};

/** annotations plus the Flux "disabled" annotations (a new object; the argument is not changed). */
export function withFluxAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return { ...annotations, ...FLUX_DISABLED_ANNOTATIONS };
}

/** The controller reference that makes the Canary own (and garbage-collect) a generated object. */
export function canaryOwnerReference(canary: Canary): {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
} {
  return {
    apiVersion: API_VERSION,
    kind: 'Canary',
    name: canary.metadata.name ?? '',
    uid: canary.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
