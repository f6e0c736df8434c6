// What the HPA and KEDA reconcilers share: the `-primary` copy of the target's autoscaler is created when missing
// and, outside initialization, brought up to date when its spec differs. Each reconciler says which labels and
// annotations the copy gets, as Flagger's differ per kind.
import type { Canary } from '../../api/canary.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { KubeObject, ObjectMeta, ObjectRef } from '../../kube/types.ts';
import type { Logger } from '../../logging/logger.ts';
import { canonicalJson } from '../../util/hash.ts';
import { errorMessage, withContext } from '../flagger-errors.ts';
import { canaryKey, dotted } from '../generated-metadata.ts';
import { canaryOwnerReference } from '../../api/generated-objects.ts';

type Spec = Record<string, unknown>;

/** An autoscaler object: metadata and a spec this layer copies without interpreting all of it. */
export interface ScalerObject extends KubeObject {
  spec?: Spec;
}

export interface PrimaryCopy {
  /** The kind as Flagger names the primary in messages ("HorizontalPodAutoscaler v2", "Keda ScaledObject"). */
  what: string;
  /** How Flagger names it in an update error, and whether it logs an update (its KEDA reconciler does not). */
  update: { what: string; logged: boolean };
  ref: ObjectRef;
  /** Labels and annotations of a new primary. */
  meta: ScalerMeta;
  /** The metadata an update writes, made from the primary's own; without it an update leaves the metadata alone. */
  updatedMeta?: (primary: ObjectMeta | undefined) => ScalerMeta;
  /** The primary's desired spec. */
  spec: Spec;
  /** The spec fields an update overwrites; the rest of an existing primary's spec is left alone. */
  updatedFields: readonly string[];
}

export type ScalerMeta = Pick<ObjectMeta, 'labels' | 'annotations'>;

/** Creates the primary autoscaler, or with init=false updates the fields that differ. */
export async function reconcilePrimaryCopy(
  deps: { kube: KubeClient; logger: Logger },
  canary: Canary,
  copy: PrimaryCopy,
  init: boolean,
): Promise<void> {
  const { kube } = deps;
  const where = dotted(copy.ref.name, copy.ref.namespace ?? '');
  const logger = deps.logger.child({ canary: canaryKey(canary) });
  const current = await withContext(`${copy.what} ${where} get query failed`, () =>
    kube.tryGet<ScalerObject>(copy.ref),
  );
  if (!current) {
    const primary = {
      apiVersion: copy.ref.apiVersion,
      kind: copy.ref.kind,
      metadata: {
        name: copy.ref.name,
        namespace: copy.ref.namespace,
        ...copy.meta,
        ownerReferences: [canaryOwnerReference(canary)],
      },
      spec: copy.spec,
    };
    await kube.create(primary).catch((err: unknown) => {
      throw new Error(`creating ${copy.what} ${where} failed: ${errorMessage(err)}`, { cause: err });
    });
    logger.info(`${copy.what} ${where} created`);
    return;
  }
  if (init) return;
  const outcome = { updated: false };
  await withContext(`updating ${copy.update.what} ${where} failed`, () =>
    kube.modify<ScalerObject>(copy.ref, primary => {
      outcome.updated = applyCopy(primary, copy);
      return outcome.updated;
    }),
  );
  if (outcome.updated && copy.update.logged) logger.info(`${copy.what} ${where} updated`);
}

/**
 * Writes the copied spec fields into primary, and the updated metadata when the spec changed (Flagger rewrites
 * an autoscaler only for a spec change); false when the spec already matches.
 */
function applyCopy(primary: ScalerObject, copy: PrimaryCopy): boolean {
  const spec: Spec = { ...primary.spec };
  for (const field of copy.updatedFields) spec[field] = copy.spec[field];
  if (canonicalJson(spec) === canonicalJson(primary.spec ?? {})) return false;
  primary.spec = spec;
  if (copy.updatedMeta) primary.metadata = { ...primary.metadata, ...copy.updatedMeta(primary.metadata) };
  return true;
}
