// One analysis step of each strategy after the checks passed: canary (weights), A/B testing and blue/green
// (iterations). Each ends, at its last step, in the promotion gate and Promote.
import type { CanaryAnalysis } from '../api/canary.ts';
import { maxWeight } from '../api/defaults.ts';
import type { Routes } from '../routers/types.ts';
import { canaryId, targetId } from './recorder.ts';
import { setCounter, setPhase } from './status.ts';
import type { TickContext } from './tick-context.ts';
import { ALL_TO_CANARY, nextCanaryRoutes } from './weights.ts';

/** Copies the target's spec (and configs) to the primary. */
export async function copyToPrimary(ctx: TickContext): Promise<void> {
  const { canary } = ctx;
  await ctx.info(
    `Copying ${targetId(canary)} template spec to ${canary.spec.targetRef.name}-primary.${canary.metadata.namespace ?? ''}`,
  );
  await ctx.target.promote(canary);
}

/** Copies the canary to the primary and enters Promoting, once the promotion gate opens. */
async function promote(ctx: TickContext): Promise<void> {
  if (!(await ctx.gates.confirmPromotion(ctx.canary))) return;
  await copyToPrimary(ctx);
  await ctx.write(setPhase('Promoting'));
}

/** Progressive traffic increase: one weight step per tick up to maxWeight, then promotion. */
export async function runCanary(ctx: TickContext, routes: Routes): Promise<void> {
  const analysis = ctx.canary.spec.analysis;
  if (routes.canaryWeight >= maxWeight(analysis)) {
    await promote(ctx);
    return;
  }
  const next = nextCanaryRoutes(analysis, routes);
  if (analysis.mirror === true && routes.canaryWeight === 0) {
    ctx.deps.recorder
      .logger(ctx.canary)
      .info(`Running mirror step ${next.primaryWeight}/${next.canaryWeight}/${next.mirrored}`);
  }
  await ctx.setRoutes(next);
  // The traffic has moved, so it is said before the status write: should that fail, the next tick goes on from
  // the routes (not the status), and the step would otherwise never be reported (Flagger reports it after).
  await ctx.info(`Advance ${canaryId(ctx.canary)} canary weight ${next.canaryWeight}`);
  await ctx.write(setCounter('canaryWeight', next.canaryWeight));
}

/** A/B testing: matching requests go to the canary for `iterations` ticks, then promotion. */
export async function runAB(ctx: TickContext, analysis: CanaryAnalysis): Promise<void> {
  const iterations = analysis.iterations ?? 0;
  const done = ctx.canary.status?.iterations ?? 0;
  if (iterations > done) {
    await ctx.setRoutes(ALL_TO_CANARY);
    await ctx.write(setCounter('iterations', done + 1));
    await ctx.info(`Advance ${canaryId(ctx.canary)} canary iteration ${done + 1}/${iterations}`);
    return;
  }
  if (iterations === done) await promote(ctx);
}

/**
 * Blue/green: the canary is tested (optionally with mirrored traffic) for `iterations` ticks, then gets all
 * traffic for one tick, then is promoted.
 */
export async function runBlueGreen(
  ctx: TickContext,
  analysis: CanaryAnalysis,
  routes: Routes,
): Promise<void> {
  const iterations = analysis.iterations ?? 0;
  const done = ctx.canary.status?.iterations ?? 0;
  const routesTraffic = ctx.provider !== 'kubernetes';
  if (iterations > done) {
    if (routesTraffic && analysis.mirror === true && !routes.mirrored) {
      await ctx.setRoutes({ primaryWeight: 100, canaryWeight: 0, mirrored: true });
      ctx.deps.recorder.logger(ctx.canary).info('Start traffic mirroring');
    }
    await ctx.write(setCounter('iterations', done + 1));
    await ctx.info(`Advance ${canaryId(ctx.canary)} canary iteration ${done + 1}/${iterations}`);
    return;
  }
  if (iterations === done) {
    if (!(await ctx.gates.confirmPromotion(ctx.canary))) return;
    if (routesTraffic) {
      await ctx.info(
        analysis.mirror === true
          ? 'Stop traffic mirroring and route all traffic to canary'
          : 'Routing all traffic to canary',
      );
      await ctx.setRoutes(ALL_TO_CANARY);
    }
    await ctx.write(setCounter('iterations', done + 1));
    return;
  }
  await copyToPrimary(ctx);
  await ctx.write(setPhase('Promoting'));
}
