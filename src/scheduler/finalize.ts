// Reverting a canary that is deleted with revertOnDeletion (Flagger's pkg/controller/finalizer.go): the target
// gets its replicas back, the apex Service and the mesh objects are restored, then the finalizer is removed.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary } from '../api/canary.ts';
import { analysisIntervalMs } from '../api/defaults.ts';
import { canaryId } from './recorder.ts';
import { setPhase, withFinalizer, withoutFinalizer } from './status.ts';
import { TickContext } from './tick-context.ts';
import type { SchedulerDeps } from './types.ts';

export const FINALIZER = 'finalizer.flagger.app';

/** Reverts everything the canary changed; throws when the target is not ready yet (the caller retries). */
export async function finalizeCanary(deps: SchedulerDeps, canary: Canary): Promise<void> {
  const ctx = new TickContext(deps, canary);
  if (ctx.phase !== 'Terminating') {
    await ctx.write(setPhase('Terminating'));
    await ctx.info(`Terminating canary ${canaryId(canary)}`);
  }
  await ctx.scaler?.resumeTargetScaler(ctx.canary);
  await ctx.target.finalize(ctx.canary);
  await waitUntilTargetReady(ctx);
  ctx.metadata = await ctx.target.getMetadata(ctx.canary);
  await ctx.services.finalize(ctx.canary, ctx.metadata);
  ctx.router = deps.router(ctx.provider, ctx.metadata);
  await ctx.router.finalize(ctx.canary);
  await removeFinalizer(deps, ctx.canary);
  await ctx.info(`Terminated canary ${canaryId(canary)}`);
}

/** Removes our finalizer (a no-op when it is not there). */
export async function removeFinalizer(deps: SchedulerDeps, canary: Canary): Promise<void> {
  await deps.status.modifyMetadata(canary, withoutFinalizer(FINALIZER));
}

/** Adds our finalizer (a no-op when it is there). */
export async function addFinalizer(deps: SchedulerDeps, canary: Canary): Promise<void> {
  await deps.status.modifyMetadata(canary, withFinalizer(FINALIZER));
}

/** Flagger waits with backoff (3s doubling, capped at the analysis interval, 4 tries) for the target. */
async function waitUntilTargetReady(ctx: TickContext): Promise<void> {
  const cap = analysisIntervalMs(ctx.canary.spec.analysis);
  let delay = 3_000;
  for (let attempt = 1; ; attempt++) {
    const readiness = await ctx.target.isCanaryReady(ctx.canary);
    if (readiness.ready) return;
    if (!readiness.retriable || attempt >= 4) throw new Error(readiness.message);
    await sleep(delay);
    delay = Math.min(delay * 2, cap);
  }
}
