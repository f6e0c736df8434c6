// The workload family: what the scheduler needs from a canary's target (Deployment, DaemonSet or Service),
// whatever its kind. One implementation per kind, chosen by targetRef.kind through the registry.
import type { Canary } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Logger } from '../logging/logger.ts';

/** Controller flags that shape generated workloads. */
export interface TargetOptions {
  /** -selector-labels: pod label keys, in priority order (default app, name, app.kubernetes.io/name). */
  selectorLabels: string[];
  /** -include-label-prefix: label/annotation prefixes copied to primary objects; '*' copies all, [] none. */
  includeLabelPrefix: string[];
  /** -enable-config-tracking: ConfigMaps/Secrets used by the target get -primary copies and are hashed. */
  enableConfigTracking: boolean;
}

export interface TargetDeps {
  kube: KubeClient;
  logger: Logger;
  options: TargetOptions;
}

/** Whether a workload can take traffic; a non-retriable "not ready" (deadline exceeded) means roll back. */
export type Readiness =
  | { ready: true }
  /** scaledToZero: the workload has no pods on purpose (our scale-to-zero), not a rollout in progress. */
  | { ready: false; retriable: boolean; message: string; scaledToZero?: boolean };

/** An extra container port found by service.portDiscovery. */
export interface DiscoveredPort {
  name: string;
  port: number;
}

/** How the target's pods are selected: Flagger's GetMetadata. */
export interface TargetMetadata {
  /** The first of -selector-labels present in the target's selector. */
  labelKey: string;
  /** Its value on the target; the primary's pods carry `<labelValue>-primary`. */
  labelValue: string;
  /** Container ports beyond service.port, when portDiscovery is on. */
  ports: DiscoveredPort[];
}

/** The revision the target runs now: what status.lastAppliedSpec and status.trackedConfigs record. */
export interface Revision {
  specHash: string;
  /** "configmap/<name>" | "secret/<name>" → checksum; empty when config tracking is off or nothing is used. */
  trackedConfigs: Record<string, string>;
}

/** Flagger's canary.Controller, minus status handling (which the scheduler owns). */
export interface WorkloadTarget {
  /** Selector label and discovered ports; throws with a clear message when the target is unusable. */
  getMetadata(canary: Canary): Promise<TargetMetadata>;
  /** Creates `<target>-primary` and the `-primary` copies of tracked configs when missing (never updates). */
  initialize(canary: Canary): Promise<void>;
  isPrimaryReady(canary: Canary): Promise<Readiness>;
  isCanaryReady(canary: Canary): Promise<Readiness>;
  /** The target's current revision (spec hash and tracked config checksums). */
  revision(canary: Canary): Promise<Revision>;
  /**
   * True when the target's spec differs from status.lastAppliedSpec and is not the last promoted one. Where a
   * hash is still Flagger's (which ours cannot be compared with), unchanged means the primary runs the target.
   */
  hasTargetChanged(canary: Canary): Promise<boolean>;
  /** True when the primary runs what the target does now: its last promotion is the target's revision. */
  isPromoted(canary: Canary): Promise<boolean>;
  /** True when a tracked ConfigMap/Secret differs from status.trackedConfigs. */
  haveDependenciesChanged(canary: Canary): Promise<boolean>;
  /** Copies the target's spec (and configs) to the primary. */
  promote(canary: Canary): Promise<void>;
  scaleToZero(canary: Canary): Promise<void>;
  scaleFromZero(canary: Canary): Promise<void>;
  /** On deletion with revertOnDeletion: gives the target its replicas back. */
  finalize(canary: Canary): Promise<void>;
}

/** Primary copies of the target's HorizontalPodAutoscaler or KEDA ScaledObject. */
export interface ScalerReconciler {
  /** Creates the primary scaler; with init=false also updates it from the target's. */
  reconcilePrimaryScaler(canary: Canary, init: boolean): Promise<void>;
  pauseTargetScaler(canary: Canary): Promise<void>;
  resumeTargetScaler(canary: Canary): Promise<void>;
}
