// Metadata that every router puts on the objects it generates: the owner reference to the Canary, the Flux
// annotations that keep Flux from reverting Flagger's changes, and the ownership test used before touching
// labels and annotations of an object that may not be ours.
import type { Canary } from '../api/canary.ts';
import type { ObjectMeta } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';

/** The name of the Canary that controls the object, if a Canary controls it. */
export function controllingCanary(meta: ObjectMeta | undefined): string | undefined {
  const controller = meta?.ownerReferences?.find(ref => ref.controller === true);
  return controller?.kind === 'Canary' ? controller.name : undefined;
}

/** A child logger with Flagger's `canary: <name>.<namespace>` field. */
export function canaryLogger(logger: Logger, canary: Canary): Logger {
  return logger.child({ canary: `${canary.metadata.name ?? ''}.${canary.metadata.namespace ?? ''}` });
}
