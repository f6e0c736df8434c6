// How a run ends: rollback, failed promotion, skipped analysis, and the promotion steps after the analysis
// (Promoting → Finalising → Succeeded), as Flagger's scheduler does them.
import { analysisThreshold } from '../api/defaults.ts';
import { failedChecksSummary } from './explain.ts';
import { canaryId, targetId } from './recorder.ts';
import { requested, SKIP_ANALYSIS_ANNOTATION } from './extensions.ts';
import { setCounter, setPhase, syncStatus, withoutAnnotation } from './status.ts';
import type { TickContext } from './tick-context.ts';
import { ALL_TO_CANARY, ALL_TO_PRIMARY, nextPromotionRoutes } from './weights.ts';
import type { Routes } from '../routers/types.ts';
import { copyToPrimary } from './strategies.ts';

/** Routes all traffic back to the primary, scales the canary down and marks the run Failed. */
export async function rollback(ctx: TickContext): Promise<void> {
  const failedChecks = ctx.canary.status?.failedChecks ?? 0;
  if (failedChecks >= analysisThreshold(ctx.canary.spec.analysis)) {
    await ctx.warn(`Rolling back ${canaryId(ctx.canary)} failed checks threshold reached ${failedChecks}`);
    // Extension: a second event names the failed metric checks (Flagger's message above stays as it is).
    const reasons = failedChecksSummary(ctx.canary.status);
    if (reasons !== undefined) await ctx.warn(`Failed checks of ${canaryId(ctx.canary)}: ${reasons}`);
    await ctx.deps.recorder.alert(
      ctx.canary,
      `Failed checks threshold reached ${failedChecks}`,
      false,
      'error',
    );
  }
  await ctx.setRoutes(ALL_TO_PRIMARY);
  await ctx.deps.recorder.warn(ctx.inPhase('Failed'), `Canary failed! Scaling down ${canaryId(ctx.canary)}`);
  await ctx.scaler?.pauseTargetScaler(ctx.canary);
  await ctx.target.scaleToZero(ctx.canary);
  await ctx.write(syncStatus({ phase: 'Failed' }, await ctx.target.revision(ctx.canary)));
  ctx.countOutcome('failure');
  await ctx.gates.postRollout(ctx.canary, 'Failed');
}

/**
 * The primary never became ready after promotion (Flagger 1.44, PR #1931): all traffic stays with the
 * canary, which is healthy and not scaled down. The event names the target, the alert does not, as in Flagger.
 */
export async function failedPromotion(ctx: TickContext, reason: string): Promise<void> {
  await ctx.warn(`Promotion of ${targetId(ctx.canary)} failed, primary not ready: ${reason}`);
  await ctx.deps.recorder.alert(ctx.canary, `Promotion failed, primary not ready: ${reason}`, false, 'error');
  await ctx.setRoutes(ALL_TO_CANARY);
  await ctx.write(syncStatus({ phase: 'Failed', canaryWeight: 100 }, await ctx.target.revision(ctx.canary)));
  ctx.countOutcome('failure');
  await ctx.gates.postRollout(ctx.canary, 'Failed');
}

/**
 * skipAnalysis: promote the new revision at once. The one-shot skip-analysis annotation (extension) that
 * asked for it is removed once the promotion is done, so that later revisions are analysed again.
 */
export async function skipAnalysis(ctx: TickContext): Promise<void> {
  const { canary } = ctx;
  await ctx.setRoutes(ALL_TO_PRIMARY);
  await copyToPrimary(ctx);
  if (ctx.scaler) {
    await ctx.scaler.reconcilePrimaryScaler(canary, false);
    await ctx.scaler.pauseTargetScaler(canary);
  }
  await ctx.target.scaleToZero(canary);
  await ctx.write(setPhase('Succeeded'));
  ctx.countOutcome('success', 'skipped');
  await ctx.info(`Promotion completed! Canary analysis was skipped for ${targetId(canary)}`);
  await ctx.deps.recorder.alert(
    ctx.canary,
    'Canary analysis was skipped, promotion finished.',
    false,
    'info',
  );
  if (requested(ctx.canary, SKIP_ANALYSIS_ANNOTATION))
    await ctx.modify(withoutAnnotation(SKIP_ANALYSIS_ANNOTATION));
}

/** Phase Promoting, once the primary runs the new spec: shift traffic back to it, at once or step by step. */
export async function promotionTrafficShift(ctx: TickContext, routes: Routes): Promise<void> {
  // Services-only routing cannot shift traffic: go straight to Finalising.
  if (ctx.provider === 'kubernetes') {
    await ctx.write(setPhase('Finalising'));
    return;
  }
  const step = ctx.canary.spec.analysis.stepWeightPromotion ?? 0;
  if (step === 0) {
    await ctx.info('Routing all traffic to primary');
    await ctx.setRoutes(ALL_TO_PRIMARY);
    await ctx.write(setPhase('Finalising'));
    return;
  }
  if (routes.canaryWeight <= 0) return;
  const next = nextPromotionRoutes(step, routes);
  await ctx.setRoutes(next);
  await ctx.info(`Advance ${canaryId(ctx.canary)} primary weight ${next.primaryWeight}`);
  await ctx.write(
    next.primaryWeight === 100 ? setPhase('Finalising') : setCounter('canaryWeight', next.canaryWeight),
  );
}

/** Phase Finalising: scale the canary down and finish the run. */
export async function finalise(ctx: TickContext): Promise<void> {
  await ctx.scaler?.pauseTargetScaler(ctx.canary);
  await ctx.target.scaleToZero(ctx.canary);
  await ctx.write(setPhase('Succeeded'));
  ctx.countOutcome('success');
  await ctx.gates.postRollout(ctx.canary, 'Succeeded');
  await ctx.info(`Promotion completed! Scaling down ${targetId(ctx.canary)}`);
  await ctx.deps.recorder.alert(
    ctx.canary,
    'Canary analysis completed successfully, promotion finished.',
    false,
    'info',
  );
}
