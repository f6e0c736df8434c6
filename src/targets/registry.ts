// Chooses the workload implementation by targetRef.kind and the autoscaler reconciler by autoscalerRef.kind.
import type { Canary, CanaryAutoscalerRef, CanaryTargetRef } from '../api/canary.ts';
import { DaemonSetTarget } from './daemonset.ts';
import { DeploymentTarget } from './deployment.ts';
import { KnativeTarget } from './knative.ts';
import { HpaReconciler } from './scalers/hpa.ts';
import { KedaReconciler } from './scalers/keda.ts';
import { ServiceTarget } from './service.ts';
import type { ScalerReconciler, TargetDeps, WorkloadTarget } from './types.ts';
import { isKnativeService } from '../api/knative.ts';

const targets = {
  Deployment: deps => new DeploymentTarget(deps),
  DaemonSet: deps => new DaemonSetTarget(deps),
  Service: deps => new ServiceTarget(deps),
} satisfies Record<CanaryTargetRef['kind'], (deps: TargetDeps) => WorkloadTarget>;

const scalers = {
  HorizontalPodAutoscaler: deps => new HpaReconciler(deps),
  ScaledObject: deps => new KedaReconciler(deps),
} satisfies Record<CanaryAutoscalerRef['kind'], (deps: TargetDeps) => ScalerReconciler>;

/** The workload target of a canary; a Service of serving.knative.dev is a Knative Service. */
export function createTarget(canary: Canary, deps: TargetDeps): WorkloadTarget {
  const { targetRef } = canary.spec;
  if (isKnativeService(targetRef)) return new KnativeTarget(deps);
  return targets[targetRef.kind](deps);
}

/** The reconciler of the canary's autoscaler, or undefined without autoscalerRef. */
export function createScaler(canary: Canary, deps: TargetDeps): ScalerReconciler | undefined {
  const ref = canary.spec.autoscalerRef;
  return ref ? scalers[ref.kind](deps) : undefined;
}
