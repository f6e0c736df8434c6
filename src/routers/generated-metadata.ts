// Metadata that every router puts on the objects it generates: the owner reference to the Canary, the Flux
// annotations that keep Flux from reverting Flagger's changes, and the ownership test used before touching
// labels and annotations of an object that may not be ours.
import type { Canary } from '../api/canary.ts';
import type { ObjectMeta, OwnerReference } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';

/** kubectl's copy of the last applied manifest: what a taken-over object is reverted to first. */
export const KUBECTL_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Flagger's filterMetadata: objects carrying these are left alone by Flux's kustomize and helm controllers. */
const FLUX_ANNOTATIONS: Readonly<Record<string, string>> = {
  'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
  'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
};

/** A controller reference to the Canary, as Flagger's metav1.NewControllerRef makes it. */
export function canaryOwnerReference(canary: Canary): OwnerReference {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    name: canary.metadata.name ?? '',
    uid: canary.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The name of the Canary that controls the object, if a Canary controls it. */
export function controllingCanary(meta: ObjectMeta | undefined): string | undefined {
  const controller = meta?.ownerReferences?.find(ref => ref.controller === true);
  return controller?.kind === 'Canary' ? controller.name : undefined;
}

/** annotations plus the Flux "disabled" annotations (a new object; the argument is not changed). */
export function withFluxAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  return { ...annotations, ...FLUX_ANNOTATIONS };
}

/** A child logger with Flagger's `canary: <name>.<namespace>` field. */
export function canaryLogger(logger: Logger, canary: Canary): Logger {
  return logger.child({ canary: `${canary.metadata.name ?? ''}.${canary.metadata.namespace ?? ''}` });
}
