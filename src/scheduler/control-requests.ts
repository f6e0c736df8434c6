// The one-shot control annotations a tick takes before its step (extensions, docs/extensions.md): a step
// requested now, and an abort. The reset annotation restarts a run, so it stays with the run's start in advance.ts.
import { ABORT_ANNOTATION, PROMOTE_ANNOTATION, requested } from './extensions.ts';
import { rollback } from './outcomes.ts';
import { canaryId } from './recorder.ts';
import { withoutAnnotation } from './status.ts';
import type { TickContext } from './tick-context.ts';

/**
 * Extension (flagger.app/promote: "step", one-shot): the controller ran this tick at once for it; the step itself
 * is the usual one, checks included.
 */
export async function acknowledgeNextStep(ctx: TickContext): Promise<void> {
  const value = ctx.canary.metadata.annotations?.[PROMOTE_ANNOTATION];
  if (value === undefined) return;
  if (value === 'step' || value === 'true') {
    await ctx.info(`Next step of ${canaryId(ctx.canary)} requested by ${PROMOTE_ANNOTATION}`);
  }
  await ctx.modify(withoutAnnotation(PROMOTE_ANNOTATION));
}

/**
 * Extension (flagger.app/abort, one-shot): a run in progress is rolled back now, as by a rollback webhook. Once the
 * promotion is under way (Promoting, Finalising) it is too late: the annotation is dropped with a warning.
 */
export async function abortRequested(ctx: TickContext): Promise<boolean> {
  if (!requested(ctx.canary, ABORT_ANNOTATION)) return false;
  const running = ctx.phase === 'Progressing' || ctx.phase === 'Waiting' || ctx.phase === 'WaitingPromotion';
  if (running) {
    await ctx.warn(`Rolling back ${canaryId(ctx.canary)} abort requested by ${ABORT_ANNOTATION}`);
    await ctx.deps.recorder.alert(
      ctx.canary,
      `Rolling back: abort requested by ${ABORT_ANNOTATION}`,
      false,
      'warn',
    );
    await rollback(ctx);
  } else {
    await ctx.warn(`Nothing to abort for ${canaryId(ctx.canary)} in phase ${ctx.phase || 'Initializing'}`);
  }
  await ctx.modify(withoutAnnotation(ABORT_ANNOTATION));
  return running;
}
