// Knative Service targets: a Canary whose targetRef is a Service of serving.knative.dev, not a core Service.
import type { CanaryTargetRef } from './canary.ts';

/** True for a Knative Service target (the knative provider's), false for a core Service or a workload. */
export function isKnativeService(targetRef: Pick<CanaryTargetRef, 'apiVersion' | 'kind'>): boolean {
  return targetRef.kind === 'Service' && targetRef.apiVersion.startsWith('serving.knative.dev/');
}
