// Extension: query verification. Once per Canary generation, each metric's query is rendered and run once
// against its backend, so that a typo, a missing template, a backend that is down or labels that match nothing
// show up in the Canary's status before a release depends on them (no peer does this; Flagger finds out during
// the analysis and rolls back). A query that has no values for the canary, which has no traffic before a
// release, is run for the primary too: values there mean the query is right.
import type { CanaryMetric } from '../api/canary-analysis.ts';
import type { Canary } from '../api/canary.ts';
import { checkMetric, type MetricCheckContext } from './check.ts';
import type { MetricCheck } from './types.ts';

/** What is wrong with each metric's query, as "<metric>: <problem>"; empty when every query answers. */
export async function verifyMetricQueries(canary: Canary, ctx: MetricCheckContext): Promise<string[]> {
  const problems = await Promise.all(
    (canary.spec.analysis.metrics ?? []).map(metric => queryProblem(canary, metric, ctx)),
  );
  return problems.filter(problem => problem !== undefined);
}

async function queryProblem(
  canary: Canary,
  metric: CanaryMetric,
  ctx: MetricCheckContext,
): Promise<string | undefined> {
  const target = canary.spec.targetRef.name;
  const check = await checkMetric(canary, metric, ctx);
  if (check.verdict !== 'NoValues') return problemOf(metric, check, target);
  const primary = `${target}-primary`;
  const onPrimary = await checkMetric(
    { ...canary, spec: { ...canary.spec, targetRef: { ...canary.spec.targetRef, name: primary } } },
    metric,
    ctx,
  );
  if (onPrimary.verdict !== 'NoValues') return problemOf(metric, onPrimary, primary);
  return (
    `${metric.name}: the query returns no values for ${target} nor for ${primary} ` +
    '(do its labels match the workload, and does the workload receive traffic?)'
  );
}

/** Errors and NaN are problems; a value outside the thresholds is not (the analysis judges that). */
function problemOf(metric: CanaryMetric, check: MetricCheck, workload: string): string | undefined {
  if (!check.ok && check.verdict === 'Error') return `${metric.name}: ${check.message}`;
  if (check.value !== undefined && Number.isNaN(check.value)) {
    return `${metric.name}: the query returns NaN for ${workload}`;
  }
  return undefined;
}
