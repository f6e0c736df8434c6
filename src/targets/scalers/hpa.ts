// The primary HorizontalPodAutoscaler (Flagger's hpa_reconciler.go): `<hpa>-primary` scales `<target>-primary`
// with the target HPA's metrics, behavior and bounds. autoscaling/v2 and v2beta2 have the same shape; the
// version of autoscalerRef is used when the API server serves it, else the other one (Kubernetes 1.20
// serves only v2beta2, 1.26+ only v2).
import type { Canary, CanaryAutoscalerRef } from '../../api/canary.ts';
import type { KubeClient } from '../../kube/client.ts';
import { isNotFound } from '../../kube/errors.ts';
import type { HorizontalPodAutoscaler, ObjectRef } from '../../kube/types.ts';
import type { Logger } from '../../logging/logger.ts';
import { getQuery } from '../flagger-errors.ts';
import { canaryNamespace, primaryName, withoutToolkitKeys } from '../generated-metadata.ts';
import type { ScalerReconciler, TargetDeps } from '../types.ts';
import { reconcilePrimaryCopy } from './primary-copy.ts';

const KIND = 'HorizontalPodAutoscaler';
const PRIMARY_WHAT = `${KIND} v2`;
const HPA_VERSIONS = ['autoscaling/v2', 'autoscaling/v2beta2'];

/** The HPA API version to use: autoscalerRef's when served, else the first other one served. */
export async function hpaApiVersion(kube: KubeClient, ref: CanaryAutoscalerRef): Promise<string> {
  const preferred = HPA_VERSIONS.includes(ref.apiVersion) ? ref.apiVersion : 'autoscaling/v2';
  const candidates = [preferred, ...HPA_VERSIONS.filter(v => v !== preferred)];
  for (const apiVersion of candidates) {
    try {
      await kube.resource(apiVersion, KIND);
      return apiVersion;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return preferred;
}

async function hpaRef(kube: KubeClient, canary: Canary, ref: CanaryAutoscalerRef): Promise<ObjectRef> {
  return {
    apiVersion: await hpaApiVersion(kube, ref),
    kind: KIND,
    name: ref.name,
    namespace: canaryNamespace(canary),
  };
}

/** The target HPA named by autoscalerRef. */
export async function getTargetHpa(
  kube: KubeClient,
  canary: Canary,
  ref: CanaryAutoscalerRef,
): Promise<HorizontalPodAutoscaler> {
  return getQuery<HorizontalPodAutoscaler>(kube, await hpaRef(kube, canary, ref), KIND);
}

export class HpaReconciler implements ScalerReconciler {
  private readonly kube: KubeClient;
  private readonly logger: Logger;

  constructor(deps: TargetDeps) {
    this.kube = deps.kube;
    this.logger = deps.logger;
  }

  async reconcilePrimaryScaler(canary: Canary, init: boolean): Promise<void> {
    const autoscaler = canary.spec.autoscalerRef;
    if (!autoscaler) return;
    const ref = await hpaRef(this.kube, canary, autoscaler);
    const target = await getQuery<HorizontalPodAutoscaler>(this.kube, ref, KIND);
    const spec = target.spec;
    const overrides = autoscaler.primaryScalerReplicas;
    const primarySpec = {
      scaleTargetRef: {
        apiVersion: spec.scaleTargetRef.apiVersion,
        kind: spec.scaleTargetRef.kind,
        name: primaryName(canary.spec.targetRef.name),
      },
      minReplicas: overrides?.minReplicas ?? spec.minReplicas,
      maxReplicas: overrides?.maxReplicas ?? spec.maxReplicas,
      metrics: spec.metrics,
      behavior: spec.behavior,
    };
    await reconcilePrimaryCopy(
      { kube: this.kube, logger: this.logger },
      canary,
      {
        // Flagger's messages name the primary's API version, which is always v2 there.
        what: PRIMARY_WHAT,
        update: { what: PRIMARY_WHAT, logged: true },
        ref: { ...ref, name: primaryName(autoscaler.name) },
        // Flagger's primary HPA has the target's labels and no annotations; its updates leave the metadata
        // alone (they set it on a copy that is never written).
        meta: { labels: withoutToolkitKeys(target.metadata?.labels) },
        spec: primarySpec,
        updatedFields: ['minReplicas', 'maxReplicas', 'metrics', 'behavior'],
      },
      init,
    );
  }

  /** HPAs need no pausing: the HPA controller leaves a workload scaled to zero alone. */
  async pauseTargetScaler(): Promise<void> {
    // Nothing to do.
  }

  async resumeTargetScaler(): Promise<void> {
    // Nothing to do.
  }
}
