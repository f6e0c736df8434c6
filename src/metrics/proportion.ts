// Two-proportion statistics for compare.method "proportion": is the canary's rate of bad requests (errors, or
// non-successes) higher than the primary's? The distributions come from @stdlib; this file is only the glue
// (which test, which tail, how many requests a test needs).
import hypergeometricPmf from '@stdlib/stats-base-dists-hypergeometric-pmf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** Bad requests out of all requests, for each side. */
export interface RequestCounts {
  canaryBad: number;
  canary: number;
  primaryBad: number;
  primary: number;
}

/** Power used to size a test: the chance to detect the smallest effect worth catching, when it is there. */
export const POWER = 0.8;

/** Upper quantile of the standard normal distribution. */
const z = (p: number): number => normalQuantile(p, 0, 1);

/**
 * One-sided pooled two-proportion z-test: the p-value of "the canary's bad rate is higher". An all-good or
 * all-bad pool shows no difference (p = 1).
 */
export function zTestGreater(counts: RequestCounts): { z: number; pValue: number } {
  const { canaryBad, canary, primaryBad, primary } = counts;
  const pooled = (canaryBad + primaryBad) / (canary + primary);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / canary + 1 / primary));
  if (!(se > 0)) return { z: 0, pValue: 1 };
  const statistic = (canaryBad / canary - primaryBad / primary) / se;
  return { z: statistic, pValue: 1 - normalCdf(statistic, 0, 1) };
}

/**
 * One-sided Fisher exact test: with the margins fixed, the canary's bad count is hypergeometric, and the p-value
 * is the chance of at least as many bad requests on the canary.
 */
export function fisherExactGreater(counts: RequestCounts): number {
  const { canaryBad, canary, primaryBad, primary } = counts;
  const total = canary + primary;
  const bad = canaryBad + primaryBad;
  let pValue = 0;
  for (let k = canaryBad; k <= Math.min(bad, canary); k++) {
    pValue += hypergeometricPmf(k, total, bad, canary);
  }
  return Math.min(1, pValue);
}

/**
 * The exact test when any expected cell count is under 5 (Cochran's rule, where the normal approximation is
 * poor), else the z-test.
 */
export function proportionTest(counts: RequestCounts): { test: 'fisher' | 'z'; pValue: number } {
  const { canaryBad, canary, primaryBad, primary } = counts;
  const total = canary + primary;
  const bad = canaryBad + primaryBad;
  const expected = [canary, primary].flatMap(n => [(n * bad) / total, (n * (total - bad)) / total]);
  if (expected.some(e => e < 5)) return { test: 'fisher', pValue: fisherExactGreater(counts) };
  return { test: 'z', pValue: zTestGreater(counts).pValue };
}

/** The canary's bad rate minus the primary's, with its two-sided (Wald, unpooled) interval at `confidence`. */
export function rateDifference(
  counts: RequestCounts,
  confidence: number,
): { difference: number; low: number; high: number } {
  const { canaryBad, canary, primaryBad, primary } = counts;
  const pc = canaryBad / canary;
  const pp = primaryBad / primary;
  const se = Math.sqrt((pc * (1 - pc)) / canary + (pp * (1 - pp)) / primary);
  const margin = z(1 - (1 - confidence) / 2) * se;
  const difference = pc - pp;
  return { difference, low: difference - margin, high: difference + margin };
}

/**
 * Canary requests a one-sided test at `confidence` needs to detect a rise of the bad rate from `primaryRate`
 * to `canaryRate` with power POWER, when the primary gets `ratio` requests for each canary request (unequal
 * allocation: n = (z_a + z_b)^2 (pc qc + pp qp / ratio) / delta^2).
 */
export function requiredCanaryRequests(
  primaryRate: number,
  canaryRate: number,
  ratio: number,
  confidence: number,
): number {
  const delta = canaryRate - primaryRate;
  const variance = canaryRate * (1 - canaryRate) + (primaryRate * (1 - primaryRate)) / ratio;
  return ((z(confidence) + z(POWER)) ** 2 * variance) / delta ** 2;
}
