// What the documented extensions (docs/extensions.md) read from a canary: the one-shot annotations and the
// analysis start delay. Each is inert when unused, so a canary without them runs exactly as in Flagger.
import type { Canary } from '../api/canary.ts';
import { parseDuration } from '../api/duration.ts';

/** Promote the current (or next) revision without analysis, once. */
export const SKIP_ANALYSIS_ANNOTATION = 'flagger.app/skip-analysis';
/** Start the analysis of the current revision over, once. */
export const RESET_ANNOTATION = 'flagger.app/reset';
/** "step": run the next analysis step now instead of at the next interval, once. */
export const PROMOTE_ANNOTATION = 'flagger.app/promote';
/** Roll the current run back now, once. */
export const ABORT_ANNOTATION = 'flagger.app/abort';
/** While "true", the canary is left as it is: no tick changes anything. */
export const PAUSE_ANNOTATION = 'flagger.app/pause';

/** The annotations a change to which should run the canary's next tick at once. */
export const CONTROL_ANNOTATIONS = [
  SKIP_ANALYSIS_ANNOTATION,
  RESET_ANNOTATION,
  PROMOTE_ANNOTATION,
  ABORT_ANNOTATION,
  PAUSE_ANNOTATION,
] as const;

/** Whether the annotation is set to "true" (any other value is ignored, as kubectl users expect). */
export function requested(canary: Canary, annotation: string): boolean {
  return canary.metadata.annotations?.[annotation] === 'true';
}

/**
 * How long the metric checks of the current run still wait (analysis.delay from status.analysisStartTime); 0
 * when they count. A run without a recorded start (the delay was added mid-run) is not delayed.
 */
export function analysisDelayRemainingMs(canary: Canary, nowMs: number): number {
  const delayMs = parseDuration(canary.spec.analysis.delay ?? '') ?? 0;
  const start = Date.parse(canary.status?.analysisStartTime ?? '');
  if (delayMs <= 0 || Number.isNaN(start)) return 0;
  return Math.max(0, start + delayMs - nowMs);
}
