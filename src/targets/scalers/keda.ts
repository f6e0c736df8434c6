// The primary KEDA ScaledObject (Flagger's scaled_object_reconciler.go): `<so>-primary` scales
// `<target>-primary` with the target's triggers, their queries pointed at the primary; the target's
// ScaledObject is paused (paused-replicas 0) while the canary is idle.
import type { Canary, CanaryAutoscalerRef } from '../../api/canary.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { KubeObject, ObjectRef } from '../../kube/types.ts';
import type { Logger } from '../../logging/logger.ts';
import { getQuery, withContext } from '../flagger-errors.ts';
import {
  canaryNamespace,
  dotted,
  includeByPrefix,
  omitKeys,
  primaryName,
  withoutToolkitKeys,
} from '../generated-metadata.ts';
import type { ScalerReconciler, TargetDeps } from '../types.ts';
import { reconcilePrimaryCopy, type ScalerMeta } from './primary-copy.ts';

export const PAUSED_REPLICAS_ANNOTATION = 'autoscaling.keda.sh/paused-replicas';

export interface ScaleTrigger {
  type: string;
  name?: string;
  metadata?: Record<string, string>;
  [field: string]: unknown;
}

/** The keda.sh/v1alpha1 ScaledObject fields this layer reads or writes. */
export interface ScaledObject extends KubeObject {
  spec?: {
    scaleTargetRef: { name: string; kind?: string; apiVersion?: string; envSourceContainerName?: string };
    pollingInterval?: number;
    cooldownPeriod?: number;
    idleReplicaCount?: number;
    minReplicaCount?: number;
    maxReplicaCount?: number;
    advanced?: {
      horizontalPodAutoscalerConfig?: { name?: string; [field: string]: unknown };
      [field: string]: unknown;
    };
    fallback?: unknown;
    triggers: ScaleTrigger[];
  };
}

function soRef(canary: Canary, ref: CanaryAutoscalerRef, name = ref.name): ObjectRef {
  return { apiVersion: ref.apiVersion, kind: 'ScaledObject', name, namespace: canaryNamespace(canary) };
}

/** The target ScaledObject named by autoscalerRef. */
export async function getTargetScaledObject(
  kube: KubeClient,
  canary: Canary,
  ref: CanaryAutoscalerRef,
): Promise<ScaledObject> {
  return getQuery<ScaledObject>(kube, soRef(canary, ref), 'Keda ScaledObject');
}

/**
 * A trigger query for the primary: autoscalerRef.primaryScalerQueries[trigger name] when given, else the query
 * with `<target>-canary` and `<target>` both replaced by `<target>-primary`.
 */
export function primaryQuery(
  trigger: ScaleTrigger,
  targetName: string,
  primaryScalerQueries: Record<string, string> | undefined,
): string | undefined {
  const override = trigger.name === undefined ? undefined : primaryScalerQueries?.[trigger.name];
  if (override !== undefined) return override;
  const query = trigger.metadata?.query;
  if (query === undefined) return undefined;
  // A placeholder that cannot occur in a query keeps "<target>-canary" from becoming "<target>-primary-canary".
  const placeholder = '\u0000';
  return query
    .replaceAll(`${targetName}-canary`, placeholder)
    .replaceAll(targetName, primaryName(targetName))
    .replaceAll(placeholder, primaryName(targetName));
}

/** The primary ScaledObject's spec. */
export function primaryScaledObjectSpec(
  canary: Canary,
  target: ScaledObject,
): NonNullable<ScaledObject['spec']> {
  const spec = structuredClone(target.spec ?? { scaleTargetRef: { name: '' }, triggers: [] });
  const autoscaler = canary.spec.autoscalerRef;
  const targetName = canary.spec.targetRef.name;
  const triggers = spec.triggers.map(trigger => {
    const query = primaryQuery(trigger, targetName, autoscaler?.primaryScalerQueries);
    return query === undefined ? trigger : { ...trigger, metadata: { ...trigger.metadata, query } };
  });
  const hpaConfig = spec.advanced?.horizontalPodAutoscalerConfig;
  if (hpaConfig?.name) hpaConfig.name = primaryName(hpaConfig.name);
  const overrides = autoscaler?.primaryScalerReplicas;
  return {
    scaleTargetRef: {
      name: primaryName(targetName),
      kind: spec.scaleTargetRef.kind,
      apiVersion: spec.scaleTargetRef.apiVersion,
      envSourceContainerName: spec.scaleTargetRef.envSourceContainerName,
    },
    pollingInterval: spec.pollingInterval,
    cooldownPeriod: spec.cooldownPeriod,
    minReplicaCount: overrides?.minReplicas ?? spec.minReplicaCount,
    maxReplicaCount: overrides?.maxReplicas ?? spec.maxReplicaCount,
    advanced: spec.advanced,
    triggers,
    fallback: spec.fallback,
    idleReplicaCount: spec.idleReplicaCount,
  };
}

/**
 * A new primary ScaledObject carries the target's labels and annotations (KEDA's transfer-hpa-ownership
 * annotation, for one), Flux keys aside, as in Flagger. Quirk fixed: not the paused-replicas annotation, which
 * Flagger copies from a target paused by an earlier canary, keeping the primary at zero replicas.
 */
export function primaryScaledObjectMeta(target: ScaledObject): ScalerMeta {
  return {
    labels: withoutToolkitKeys(target.metadata?.labels),
    annotations: omitKeys(withoutToolkitKeys(target.metadata?.annotations), PAUSED_REPLICAS_ANNOTATION),
  };
}

export class KedaReconciler implements ScalerReconciler {
  private readonly kube: KubeClient;
  private readonly logger: Logger;
  private readonly includeLabelPrefix: string[];

  constructor(deps: TargetDeps) {
    this.kube = deps.kube;
    this.logger = deps.logger;
    this.includeLabelPrefix = deps.options.includeLabelPrefix;
  }

  async reconcilePrimaryScaler(canary: Canary, init: boolean): Promise<void> {
    const autoscaler = canary.spec.autoscalerRef;
    if (!autoscaler) return;
    const target = await getTargetScaledObject(this.kube, canary, autoscaler);
    const spec = primaryScaledObjectSpec(canary, target);
    await reconcilePrimaryCopy(
      { kube: this.kube, logger: this.logger },
      canary,
      {
        what: 'Keda ScaledObject',
        update: { what: 'ScaledObject', logged: false },
        ref: soRef(canary, autoscaler, primaryName(autoscaler.name)),
        meta: primaryScaledObjectMeta(target),
        // As Flagger: an update keeps the -include-label-prefix ones of the primary's own labels and annotations.
        updatedMeta: primary => ({
          labels: includeByPrefix(primary?.labels, this.includeLabelPrefix),
          annotations: includeByPrefix(primary?.annotations, this.includeLabelPrefix),
        }),
        spec,
        updatedFields: Object.keys(spec),
      },
      init,
    );
  }

  async pauseTargetScaler(canary: Canary): Promise<void> {
    await this.setPausedReplicas(canary, '0');
  }

  async resumeTargetScaler(canary: Canary): Promise<void> {
    await this.setPausedReplicas(canary, null);
  }

  private async setPausedReplicas(canary: Canary, value: string | null): Promise<void> {
    const autoscaler = canary.spec.autoscalerRef;
    if (!autoscaler) return;
    const ref = soRef(canary, autoscaler);
    await withContext(`Keda ScaledObject ${dotted(ref.name, ref.namespace ?? '')} update failed`, () =>
      this.kube.patch(ref, 'merge', { metadata: { annotations: { [PAUSED_REPLICAS_ANNOTATION]: value } } }),
    );
  }
}
