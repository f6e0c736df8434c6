// The checks of one analysis step: the pre-rollout hooks on the first step, then the rollout hooks and the metrics
// (with the analysis.delay extension), and the one-off verification of every metric query.
import type { CanaryMetric } from '../api/canary.ts';
import { formatDuration } from '../api/duration.ts';
import type { MetricCheck } from '../metrics/types.ts';
import type { Routes } from '../routers/types.ts';
import { analysisDelayRemainingMs } from './extensions.ts';
import { canaryId, targetId } from './recorder.ts';
import { METRICS_VERIFIED_CONDITION, recordMetricChecks, setMetricsVerification } from './status.ts';
import type { TickContext } from './tick-context.ts';

/** 'delayed': the checks that ran passed, but the step waits for analysis.delay (extension). */
export type Checks = 'passed' | 'failed' | 'delayed';

/**
 * The checks of this step. Quirk Q1 kept: the first step (no traffic yet) runs only the pre-rollout hooks and
 * moves traffic in the same tick; metrics are first checked on the step after, when the canary has traffic.
 */
export async function runChecks(ctx: TickContext, routes: Routes): Promise<Checks> {
  const { analysis } = ctx.canary.spec;
  const firstStep =
    routes.canaryWeight === 0 &&
    (ctx.canary.status?.iterations ?? 0) === 0 &&
    !(analysis.mirror === true && routes.mirrored);
  if (firstStep) {
    await ctx.info(`Starting canary analysis for ${targetId(ctx.canary)}`);
    return (await ctx.gates.preRollout(ctx.canary)) ? 'passed' : 'failed';
  }
  if (!(await ctx.gates.rollout(ctx.canary))) return 'failed';
  // The delay holds traffic where it is (the first step above gave the canary some to warm up with).
  const delayMs = analysisDelayRemainingMs(ctx.canary, Date.now());
  if (delayMs > 0) {
    const remaining = formatDuration(Math.ceil(delayMs / 1000) * 1000);
    await ctx.info(`Delaying analysis of ${canaryId(ctx.canary)} for ${remaining}`);
    return 'delayed';
  }
  return (await metricsPass(ctx)) ? 'passed' : 'failed';
}

/**
 * Extension: once the canary is initialized, and again after each spec change, runs every metric query once and
 * records in the MetricsVerified condition (and an event) whether they answer, before a release depends on them.
 */
export async function verifyQueriesOnce(ctx: TickContext): Promise<void> {
  const { canary, deps } = ctx;
  if (deps.verifyMetricQueries === undefined || (canary.spec.analysis.metrics?.length ?? 0) === 0) return;
  const verified = canary.status?.conditions?.find(c => c.type === METRICS_VERIFIED_CONDITION);
  if (verified !== undefined && verified.observedGeneration === canary.metadata.generation) return;
  const problems = await deps.verifyMetricQueries(canary);
  await ctx.write(setMetricsVerification(problems));
  if (problems.length > 0)
    await ctx.warn(`Metric queries of ${canaryId(canary)} need attention: ${problems.join('; ')}`);
  else await ctx.info(`Metric queries of ${canaryId(canary)} verified`);
}

/** Runs the metrics until one fails, as Flagger does, and adds what ran to the decision record. */
async function metricsPass(ctx: TickContext): Promise<boolean> {
  const { analysis } = ctx.canary.spec;
  // Builtin and inline-query metrics first, then templates, as Flagger runs them.
  const metrics = [...(analysis.metrics ?? [])].sort(
    (a, b) => Number(a.templateRef !== undefined) - Number(b.templateRef !== undefined),
  );
  const checks: MetricCheck[] = [];
  for (const metric of metrics) {
    const check = await ctx.deps.checkMetric(ctx.canary, metric);
    checks.push(check);
    if (check.value !== undefined) {
      // Flagger records the built-in request-duration in seconds (a time.Duration's Seconds()).
      const builtinDuration = check.metric === 'request-duration' && isBuiltin(metric);
      const value = builtinDuration ? check.value / 1000 : check.value;
      ctx.telemetry.setMetricValue(ctx.canary, check.metric, value);
    }
    if (!check.ok) break;
  }
  if (checks.length > 0) await ctx.write(recordMetricChecks(checks, ctx.deps.metricCheckHistory));
  const failed = checks.find(check => !check.ok);
  if (failed !== undefined) await ctx.warn(failed.message);
  return failed === undefined;
}

function isBuiltin(metric: CanaryMetric): boolean {
  return metric.templateRef === undefined && (metric.query ?? '') === '';
}
