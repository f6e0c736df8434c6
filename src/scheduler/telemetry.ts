// What the scheduler reports to the controller's Prometheus series (Flagger's metrics.Recorder). The scheduler
// only calls this interface; the prom-client implementation lives with the controller.
import type { Canary } from '../api/canary.ts';
import type { DeploymentStrategy } from '../api/defaults.ts';

export interface CanaryTelemetry {
  /** flagger_canary_status: the canary's phase as 0 (Progressing), 2 (Failed) or 1 (anything else). */
  setStatus(canary: Canary): void;
  /** flagger_canary_weight: the primary's and the canary's traffic weights. */
  setWeight(canary: Canary, primaryWeight: number, canaryWeight: number): void;
  /** flagger_canary_metric_analysis: the last value of a metric (request-duration in seconds, as Flagger). */
  setMetricValue(canary: Canary, metric: string, value: number): void;
  /** flagger_canary_duration_seconds: one analysis tick. */
  observeDuration(canary: Canary, seconds: number): void;
  /** flagger_canary_successes_total / flagger_canary_failures_total. */
  countOutcome(canary: Canary, outcome: Outcome): void;
}

export interface Outcome {
  result: 'success' | 'failure';
  strategy: DeploymentStrategy;
  /** skipped: promoted without analysis (skipAnalysis or the skip-analysis annotation). */
  analysis: 'completed' | 'skipped';
}

/** Reports nothing: for callers that run the scheduler without a metrics endpoint. */
export const NO_TELEMETRY: CanaryTelemetry = {
  setStatus: () => undefined,
  setWeight: () => undefined,
  setMetricValue: () => undefined,
  observeDuration: () => undefined,
  countOutcome: () => undefined,
};
