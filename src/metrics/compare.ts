// Extension: a metric judged against the primary (metric.compare), Kayenta's idea inside the Canary. The same
// query runs for <target> and <target>-primary at the same time; the canary fails when it is worse than the
// primary by more than every tolerance set. Too few samples on either side, or no primary value, is
// Inconclusive: a failed check, so that too little traffic never promotes.
import type { CanaryMetric, MetricComparison } from '../api/canary-analysis.ts';
import type { Canary } from '../api/canary.ts';
import { proportionCheck } from './compare-proportion.ts';
import { canaryId, goFloat, round } from './messages.ts';
import type { MetricCheck } from './types.ts';

/** Checks one metric for a (possibly renamed) canary; checkMetric without the comparison. */
export type CheckFn = (canary: Canary, metric: CanaryMetric) => Promise<MetricCheck>;
/** Runs compare.sampleQuery for a side; undefined when there is no sample query. */
export type SampleFn = (canary: Canary, metric: CanaryMetric) => Promise<number | undefined>;

/** The primary's side of a canary: the same spec, aimed at <target>-primary. */
export function primarySide(canary: Canary): Canary {
  const { targetRef } = canary.spec;
  return {
    ...canary,
    spec: { ...canary.spec, targetRef: { ...targetRef, name: `${targetRef.name}-primary` } },
  };
}

/** Compares a canary check that passed its thresholds with the primary's value of the same query. */
export async function compareWithPrimary(
  canary: Canary,
  metric: CanaryMetric & { compare: MetricComparison },
  check: Extract<MetricCheck, { ok: true }>,
  run: { check: CheckFn; samples: SampleFn },
): Promise<MetricCheck> {
  const primary = primarySide(canary);
  const halt = `Halt ${canaryId(canary)} advancement ${metric.name}`;
  const target = canary.spec.targetRef.name;
  const inconclusive = (why: string): MetricCheck => ({
    ...check,
    ok: false,
    verdict: 'Inconclusive',
    message: `${halt} inconclusive: ${why}`,
  });
  let samples: [number | undefined, number | undefined];
  let baseline: MetricCheck;
  try {
    [samples, baseline] = await Promise.all([
      Promise.all([run.samples(canary, metric), run.samples(primary, metric)]),
      run.check(primary, metric),
    ]);
  } catch (err) {
    const message = `${halt} sample query failed: ${err instanceof Error ? err.message : String(err)}`;
    return { ...check, ok: false, verdict: 'Error', message };
  }
  const { minSamples } = metric.compare;
  const [own, theirs] = samples;
  if (minSamples !== undefined && !((own ?? 0) >= minSamples && (theirs ?? 0) >= minSamples)) {
    const count = (n: number | undefined) => goFloat(n ?? 0);
    return inconclusive(
      `${count(own)} samples for ${target}, ${count(theirs)} for ${target}-primary, ${String(minSamples)} needed`,
    );
  }
  if (baseline.value === undefined || !Number.isFinite(baseline.value)) {
    return inconclusive(`no value for ${target}-primary to compare with`);
  }
  if (metric.compare.method === 'proportion') {
    const facts = { ...check, baseline: baseline.value };
    return proportionCheck(facts, [own, theirs], metric.compare, { halt, target, better: betterOf(metric) });
  }
  const judged = judge(check.value, baseline.value, metric);
  const facts = { ...check, baseline: baseline.value };
  if (judged.within) return facts;
  return {
    ...facts,
    ok: false,
    verdict: 'Failed',
    message:
      `${halt} ${goFloat(round(check.value))} is worse than the primary's ${goFloat(round(baseline.value))} by ` +
      `${goFloat(round(judged.degradation))} (${goFloat(round(judged.relative))}%), over the tolerance`,
  };
}

/**
 * How much worse the canary is (in the metric's unit and in percent of the primary's value), and whether that is
 * within the tolerances: over a tolerance only when over every one that is set; none set tolerates nothing.
 */
export function judge(
  value: number,
  baseline: number,
  metric: Pick<CanaryMetric, 'name' | 'compare'>,
): { degradation: number; relative: number; within: boolean } {
  const better = betterOf(metric);
  const degradation = better === 'lower' ? value - baseline : baseline - value;
  const relative =
    baseline === 0 ? (degradation > 0 ? Infinity : 0) : (degradation / Math.abs(baseline)) * 100;
  const { maxAbsoluteDegradation: absolute, maxRelativeDegradation: percent } = metric.compare ?? {};
  const over = [
    ...(absolute !== undefined ? [degradation > absolute] : []),
    ...(percent !== undefined ? [relative > percent] : []),
  ];
  const within = over.length === 0 ? degradation <= 0 : over.includes(false);
  return { degradation, relative, within };
}

/** Which way the metric improves: compare.better, by default higher for the success rate only. */
function betterOf(metric: Pick<CanaryMetric, 'name' | 'compare'>): 'higher' | 'lower' {
  return metric.compare?.better ?? (metric.name === 'request-success-rate' ? 'higher' : 'lower');
}
