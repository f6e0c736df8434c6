// The lower bound of the target's autoscaler, which a Deployment scaled up from zero starts with.
import type { Canary, CanaryAutoscalerRef } from '../../api/canary.ts';
import type { KubeClient } from '../../kube/client.ts';
import { getTargetHpa } from './hpa.ts';
import { getTargetScaledObject } from './keda.ts';

/** HPA minReplicas or ScaledObject minReplicaCount of the target's autoscaler. */
export async function readMinReplicas(
  kube: KubeClient,
  canary: Canary,
  ref: CanaryAutoscalerRef,
): Promise<number | undefined> {
  switch (ref.kind) {
    case 'HorizontalPodAutoscaler':
      return (await getTargetHpa(kube, canary, ref)).spec.minReplicas;
    case 'ScaledObject':
      return (await getTargetScaledObject(kube, canary, ref)).spec?.minReplicaCount;
  }
}
