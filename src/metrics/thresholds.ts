// Threshold semantics of analysis metrics, as Flagger applies them: a thresholdRange (even an empty one) takes
// precedence over the deprecated threshold; min is tested before max; a value equal to a bound passes.
import type { CanaryMetric } from '../api/canary-analysis.ts';

export interface Limits {
  min?: number;
  max?: number;
}

/** The bound a value broke: op is how value compares to it, as printed in the halt message. */
export interface Violation {
  op: '<' | '>';
  limit: number;
}

/**
 * The accepted range of a metric. Without thresholdRange, the legacy threshold (0 when unset, as in Go) is a
 * minimum for request-success-rate and a maximum for everything else, hence `legacy`.
 */
export function metricLimits(
  metric: Pick<CanaryMetric, 'threshold' | 'thresholdRange'>,
  legacy: 'min' | 'max',
): Limits {
  if (metric.thresholdRange !== undefined) {
    const { min, max } = metric.thresholdRange;
    return { ...(min !== undefined && { min }), ...(max !== undefined && { max }) };
  }
  const threshold = metric.threshold ?? 0;
  return legacy === 'min' ? { min: threshold } : { max: threshold };
}

/** The first bound that value breaks (min first), or undefined when it is within limits. */
export function findViolation(value: number, limits: Limits): Violation | undefined {
  if (limits.min !== undefined && value < limits.min) return { op: '<', limit: limits.min };
  if (limits.max !== undefined && value > limits.max) return { op: '>', limit: limits.max };
  return undefined;
}

/**
 * Limits for request-duration, in whole milliseconds: Go converts the float bounds with time.Duration(x), which
 * truncates toward zero, before comparing.
 */
export function durationLimits(limits: Limits): Limits {
  return {
    ...(limits.min !== undefined && { min: Math.trunc(limits.min) }),
    ...(limits.max !== undefined && { max: Math.trunc(limits.max) }),
  };
}
