// compare.method "proportion": the metric's value is a percentage of the requests that compare.sampleQuery
// counts (a success or error rate), so each side is a count of bad requests out of all; the canary fails when
// it is significantly worse, and is inconclusive when it has too few requests to catch compare.minEffect.
import type { MetricComparison } from '../api/canary-analysis.ts';
import { goFloat, round } from './messages.ts';
import { proportionTest, rateDifference, requiredCanaryRequests, type RequestCounts } from './proportion.ts';
import type { ComparisonFacts, MetricCheck } from './types.ts';

export const DEFAULT_CONFIDENCE = 0.95;
/** Percent of the primary's value. */
export const DEFAULT_MIN_EFFECT = 10;

/** What the test found; `why` says it for a check that did not pass. */
export interface ProportionJudgement {
  verdict: 'Passed' | 'Failed' | 'Inconclusive';
  why?: string;
  facts: ComparisonFacts;
}

/**
 * The check of a canary that passed its thresholds, judged by judgeProportion on the sample counts of both
 * sides (canary, primary); `halt` starts the messages.
 */
export function proportionCheck(
  check: Extract<MetricCheck, { ok: true }> & { baseline: number },
  [canary, primary]: [number | undefined, number | undefined],
  compare: MetricComparison,
  sides: { halt: string; target: string; better: 'higher' | 'lower' },
): MetricCheck {
  const { halt, target } = sides;
  if (canary === undefined || primary === undefined) {
    return {
      ...check,
      ok: false,
      verdict: 'Error',
      message: `${halt} compare.method proportion needs sampleQuery`,
    };
  }
  const values = { value: check.value, baseline: check.baseline, canary, primary };
  const judged = judgeProportion(values, compare, sides.better);
  const facts = { ...check, comparison: judged.facts };
  if (judged.verdict === 'Passed') return facts;
  const counts =
    `${goFloat(judged.facts.canarySamples)} requests for ${target}, ` +
    `${goFloat(judged.facts.primarySamples)} for ${target}-primary`;
  const message =
    judged.verdict === 'Failed'
      ? `${halt} ${goFloat(round(check.value))} is worse than the primary's ${goFloat(round(check.baseline))} ` +
        `(${judged.why ?? ''})`
      : `${halt} inconclusive: ${counts}; ${judged.why ?? ''}`;
  return { ...facts, ok: false, verdict: judged.verdict, message };
}

/** Judges a canary percentage against the primary's, given how many requests each is a percentage of. */
export function judgeProportion(
  sides: { value: number; baseline: number; canary: number; primary: number },
  compare: MetricComparison,
  better: 'higher' | 'lower',
): ProportionJudgement {
  const confidence = compare.confidence ?? DEFAULT_CONFIDENCE;
  const minEffect = (compare.minEffect ?? DEFAULT_MIN_EFFECT) / 100;
  const canary = Math.round(sides.canary);
  const primary = Math.round(sides.primary);
  const bad = (percent: number, n: number): number => {
    const good = better === 'higher' ? percent : 100 - percent;
    return Math.min(n, Math.max(0, n - Math.round((good / 100) * n)));
  };
  const counts: RequestCounts = {
    canaryBad: bad(sides.value, canary),
    canary,
    primaryBad: bad(sides.baseline, primary),
    primary,
  };
  const needed = requestsNeeded(counts, better, minEffect, confidence);
  const base = { method: 'proportion', canarySamples: canary, primarySamples: primary } as const;
  if (canary === 0 || primary === 0) {
    return { verdict: 'Inconclusive', why: `need about ${String(needed)} more requests`, facts: base };
  }
  const { test, pValue } = proportionTest(counts);
  // The effect in the metric's unit (canary minus primary), from the difference of bad rates.
  const { difference, low, high } = rateDifference(counts, confidence);
  const sign = better === 'higher' ? -100 : 100;
  const interval = [low * sign, high * sign].sort((a, b) => a - b) as [number, number];
  const facts: ComparisonFacts = {
    ...base,
    test,
    effect: difference * sign,
    effectInterval: interval,
    pValue,
  };
  const alpha = 1 - confidence;
  if (pValue < alpha) {
    return { verdict: 'Failed', why: `p=${p(pValue)} < ${p(alpha)}, ${test} test`, facts };
  }
  if (needed > 0)
    return { verdict: 'Inconclusive', why: `need about ${String(needed)} more requests`, facts };
  return { verdict: 'Passed', facts };
}

/**
 * More canary requests needed (at the current split of traffic) to detect a change of minEffect in the
 * primary's value with power 0.8 (POWER). A primary without bad requests counts as one bad in its requests, so that
 * a relative change stays a change.
 */
function requestsNeeded(
  counts: RequestCounts,
  better: 'higher' | 'lower',
  minEffect: number,
  confidence: number,
): number {
  const primaryRate = Math.max(counts.primaryBad, 1) / Math.max(counts.primary, 1);
  const canaryRate = Math.min(
    1 - 1e-9,
    better === 'lower' ? primaryRate * (1 + minEffect) : primaryRate + (1 - primaryRate) * minEffect,
  );
  const ratio = Math.max(counts.primary, 1) / Math.max(counts.canary, 1);
  const required = requiredCanaryRequests(primaryRate, canaryRate, ratio, confidence);
  return Math.max(0, Math.ceil(required - counts.canary));
}

/** A p-value (or level) for messages: three significant digits. */
function p(value: number): string {
  return goFloat(Number(value.toPrecision(3)));
}
