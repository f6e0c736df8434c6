// What the HPA and KEDA reconcilers share: the `-primary` copy of the target's autoscaler is created when missing
// and, outside initialization, brought up to date when its spec or metadata differ.
import type { Canary } from '../../api/canary.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { KubeObject, ObjectMeta, ObjectRef } from '../../kube/types.ts';
import type { Logger } from '../../logging/logger.ts';
import { canonicalJson } from '../../util/hash.ts';
import { errorMessage, withContext } from '../flagger-errors.ts';
import { canaryKey, dotted, includeByPrefix, withoutToolkitKeys } from '../generated-metadata.ts';
import { canaryOwnerReference, withFluxAnnotations } from '../../api/generated-objects.ts';

type Spec = Record<string, unknown>;

/** An autoscaler object: metadata and a spec this layer copies without interpreting all of it. */
export interface ScalerObject extends KubeObject {
  spec?: Spec;
}

export interface PrimaryCopy {
  /** The kind as Flagger names it in messages ("HorizontalPodAutoscaler", "Keda ScaledObject"). */
  what: string;
  ref: ObjectRef;
  /** The target autoscaler, whose metadata the copy takes over. */
  target: ScalerObject;
  /** The primary's desired spec. */
  spec: Spec;
  /** The spec fields an update overwrites; the rest of an existing primary's spec is left alone. */
  updatedFields: readonly string[];
}

/** Labels (Flux keys removed) and annotations (-include-label-prefix ones) of a primary autoscaler. */
export function primaryScalerMeta(
  target: ScalerObject,
  includeLabelPrefix: readonly string[],
): Pick<ObjectMeta, 'labels' | 'annotations'> {
  return {
    labels: withoutToolkitKeys(target.metadata?.labels),
    annotations: withFluxAnnotations(includeByPrefix(target.metadata?.annotations, includeLabelPrefix)),
  };
}

/** Creates the primary autoscaler, or with init=false updates the fields that differ. */
export async function reconcilePrimaryCopy(
  deps: { kube: KubeClient; logger: Logger; includeLabelPrefix: readonly string[] },
  canary: Canary,
  copy: PrimaryCopy,
  init: boolean,
): Promise<void> {
  const { kube } = deps;
  const where = dotted(copy.ref.name, copy.ref.namespace ?? '');
  const meta = primaryScalerMeta(copy.target, deps.includeLabelPrefix);
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
        ...meta,
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
  await withContext(`updating ${copy.what} ${where} failed`, () =>
    kube.modify<ScalerObject>(copy.ref, primary => {
      outcome.updated = applyCopy(primary, copy, meta);
      return outcome.updated;
    }),
  );
  if (outcome.updated) logger.info(`${copy.what} ${where} updated`);
}

/** Writes the copied fields and metadata into primary; false when they already match. */
function applyCopy(
  primary: ScalerObject,
  copy: PrimaryCopy,
  meta: Pick<ObjectMeta, 'labels' | 'annotations'>,
): boolean {
  const spec: Spec = { ...primary.spec };
  for (const field of copy.updatedFields) spec[field] = copy.spec[field];
  const metadata = { ...primary.metadata, ...meta };
  const before = canonicalJson({
    spec: primary.spec,
    labels: primary.metadata?.labels,
    annotations: primary.metadata?.annotations,
  });
  const after = canonicalJson({ spec, labels: metadata.labels, annotations: metadata.annotations });
  if (before === after) return false;
  primary.spec = spec;
  primary.metadata = metadata;
  return true;
}
