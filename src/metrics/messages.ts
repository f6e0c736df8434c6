// Flagger's event texts for metric checks (pkg/controller/scheduler_metrics.go), word for word, with Go's number
// formatting: "%.2f" for measured values and "%v" for thresholds, so alerts and log greps written for Flagger match.
import type { Canary } from '../api/canary.ts';
import { formatDuration } from '../api/duration.ts';
import type { Violation } from './thresholds.ts';

export const UNUSABLE_METRIC_MESSAGE =
  'Metric query failed for no usable metrics template and query were configured';

/** "name.namespace", as Flagger names a canary in its messages. */
export function canaryId(canary: Canary): string {
  return `${canary.metadata.name ?? ''}.${canary.metadata.namespace ?? ''}`;
}

export function successRateHalt(canary: Canary, value: number, violation: Violation): string {
  const limit = `${goFloat(violation.limit)}%`;
  return `Halt ${canaryId(canary)} advancement success rate ${goFixed2(value)}% ${violation.op} ${limit}`;
}

/** Both durations in milliseconds, printed like Go's time.Duration ("1.515s", "500ms"). */
export function requestDurationHalt(canary: Canary, valueMs: number, violation: Violation): string {
  const limit = formatDuration(violation.limit);
  return `Halt ${canaryId(canary)} advancement request duration ${formatDuration(valueMs)} ${violation.op} ${limit}`;
}

/** Inline-query and template metrics. */
export function customMetricHalt(
  canary: Canary,
  metric: string,
  value: number,
  violation: Violation,
): string {
  const limit = goFloat(violation.limit);
  return `Halt ${canaryId(canary)} advancement ${metric} ${goFixed2(value)} ${violation.op} ${limit}`;
}

export function builtinNoValues(
  canary: Canary,
  metricsProvider: string,
  metric: string,
  error?: string,
): string {
  const text =
    `Halt advancement no values found for ${metricsProvider} metric ${metric} ` +
    `probably ${canary.spec.targetRef.name}.${canary.metadata.namespace ?? ''} is not receiving traffic`;
  // Flagger appends the error for request-success-rate only.
  return error === undefined ? text : `${text}: ${error}`;
}

/**
 * Go's "%.2f": like toFixed(2), except that an exact tie rounds to even (Go prints 0.125 as "0.12", JavaScript as
 * "0.13"), and infinities print as +Inf/-Inf.
 */
export function goFixed2(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  const eighths = value * 8;
  // A value exactly halfway between two cents is an odd number of eighths (x.125, x.375, ...).
  if (Number.isInteger(eighths) && Math.abs(eighths) % 2 === 1 && Math.abs(value) < 2 ** 49) {
    const cents = Math.trunc(value * 100);
    const even = cents % 2 === 0 ? cents : cents + Math.sign(value);
    return (even / 100).toFixed(2);
  }
  return value.toFixed(2);
}

/** Go's "%v" of a float64: the shortest representation, in exponent form below 1e-4 and from 1e6 ("1e+06"). */
export function goFloat(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  // Go's %v is %g with the shortest precision, which switches to exponent form for exponents < -4 or >= 6.
  if (exponent < -4 || exponent >= 6) {
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return String(value);
}

/** Two decimals for messages, as Flagger prints metric values. */
export function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 100) / 100 : value;
}
