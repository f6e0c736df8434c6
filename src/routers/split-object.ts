// The shape shared by routers whose one generated object, named after the apex Service, holds the split in its
// spec (Contour's HTTPProxy, Traefik's TraefikService): created with service.apex metadata, rewritten by the
// reconcile only when something besides the weights changed, and read back for the current split.
import type { Canary } from '../api/canary.ts';
import { canaryOwnerReference, withFluxAnnotations } from '../api/generated-objects.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { canaryLogger } from './generated-metadata.ts';
import { semanticallyEqual } from './semantic-equal.ts';
import { requireService } from './service-spec.ts';
import type { Routes } from './types.ts';
import { upsert } from './upsert.ts';

export interface SplitObject<S> {
  ref: ObjectRef;
  /** The spec that routes a split. */
  spec: (routes: Routes) => S;
  /** The split a spec routes, or undefined when it holds no primary route. */
  read: (spec: S | undefined) => Routes | undefined;
}

type WithSpec<S> = KubeObject & { spec?: S };

const INITIAL_ROUTES: Routes = { primaryWeight: 100, canaryWeight: 0, mirrored: false };

/**
 * Creates the object (100/0), or rewrites its spec when it differs from the one for its current split. Quirk
 * fixed: Flagger resets the split when it rewrites (Contour to 100/0, Traefik to 100 on each Service), which
 * moves traffic mid-analysis; we keep it. Labels and annotations (service.apex) are set at creation.
 */
export async function reconcileSplitObject<S>(
  deps: { kube: KubeClient; logger: Logger; setOwnerRefs: boolean },
  canary: Canary,
  object: SplitObject<S>,
): Promise<void> {
  const { ref } = object;
  const apex = requireService(canary).apex;
  const result = await upsert<WithSpec<S>>(deps.kube, {
    ref,
    create: () => ({
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: {
        name: ref.name,
        namespace: ref.namespace,
        ...(apex?.labels ? { labels: apex.labels } : {}),
        annotations: withFluxAnnotations(apex?.annotations),
        ...(deps.setOwnerRefs ? { ownerReferences: [canaryOwnerReference(canary)] } : {}),
      },
      spec: object.spec(INITIAL_ROUTES),
    }),
    update: current => {
      const desired = object.spec(object.read(current.spec) ?? INITIAL_ROUTES);
      if (semanticallyEqual(desired, current.spec)) return false;
      current.spec = desired;
      return true;
    },
  });
  if (result !== 'unchanged') {
    canaryLogger(deps.logger, canary).info(`${ref.kind} ${ref.name}.${ref.namespace ?? ''} ${result}`);
  }
}

/** Writes the spec for a split; Flagger refuses a split with no weight at all. */
export async function setSplit<S>(kube: KubeClient, object: SplitObject<S>, routes: Routes): Promise<void> {
  const { ref } = object;
  if (routes.primaryWeight === 0 && routes.canaryWeight === 0) {
    throw new Error(`${ref.kind} ${ref.name}.${ref.namespace ?? ''} update failed: no valid weights`);
  }
  await kube.modify<WithSpec<S>>(ref, current => {
    current.spec = object.spec(routes);
    return true;
  });
}

/**
 * The split the object routes. Quirk fixed: Flagger reports 0/0 when the primary is missing from the spec,
 * and the analysis then runs on it; we fail instead.
 */
export async function readSplit<S>(kube: KubeClient, object: SplitObject<S>): Promise<Routes> {
  const { ref } = object;
  const current = await kube.get<WithSpec<S>>(ref);
  const routes = object.read(current.spec);
  if (routes === undefined)
    throw new Error(`${ref.kind} ${ref.name}.${ref.namespace ?? ''} services not found`);
  return routes;
}
