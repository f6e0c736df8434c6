// What one analysis tick needs from the layers below, injected so that tests and the dry-run mode can swap
// any part.
import type { Canary, CanaryMetric } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import type { MetricCheck } from '../metrics/types.ts';
import type { Router, ServiceRouter } from '../routers/types.ts';
import type { ScalerReconciler, TargetMetadata, WorkloadTarget } from '../targets/types.ts';
import type { CarriedReads } from './carried-reads.ts';
import type { CallHook } from './gates.ts';
import type { CanaryRecorder } from './recorder.ts';
import type { CanaryWriter } from './status-writer.ts';
import type { CanaryTelemetry } from './telemetry.ts';

export interface SchedulerDeps {
  /** Reads only: every change goes through the writer and plugins below, where dry-run intercepts it. */
  kube: KubeClient;
  status: CanaryWriter;
  recorder: CanaryRecorder;
  /** -mesh-provider: used when spec.provider is empty. */
  meshProvider: string;
  target(canary: Canary): WorkloadTarget;
  scaler(canary: Canary): ScalerReconciler | undefined;
  services(canary: Canary): ServiceRouter;
  router(provider: string, metadata: TargetMetadata): Router;
  callHook: CallHook;
  /** Checks one analysis metric (builtin, inline query or template). */
  checkMetric(canary: Canary, metric: CanaryMetric): Promise<MetricCheck>;
  /** The controller's Prometheus series; none by default. */
  telemetry?: CanaryTelemetry;
  /** How many metric checks the decision record keeps (status.metricChecks); 10 by default. */
  metricCheckHistory?: number;
  /** Extension: what is wrong with the canary's metric queries, run once each (empty when they all answer). */
  verifyMetricQueries?(canary: Canary): Promise<string[]>;
  /** What analysing canaries' last ticks read (the controller's); without it every tick reads afresh. */
  carriedReads?: CarriedReads;
  /** At initialization: why the canary's metric backends do not answer (empty when they all do). */
  metricProviderProblems(canary: Canary): Promise<string[]>;
}
