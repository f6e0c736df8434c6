// One analysis tick of one canary, in the exact step order of Flagger's advanceCanary
// (pkg/controller/scheduler.go; inventory section 3.3). A failed call ends the tick with a warning event, as in
// Flagger; progress lives in the Canary's status, so the next tick resumes where this one stopped.
import type { Canary } from '../api/canary.ts';
import { API_VERSION } from '../api/crds.ts';
import {
  analysisThreshold,
  deploymentStrategy,
  KUBERNETES_PROVIDER_ITERATIONS,
  skipAnalysis,
} from '../api/defaults.ts';
import { withReadScope } from '../kube/read-scope.ts';
import { namespacedKey } from '../kube/types.ts';
import type { Routes } from '../routers/types.ts';
import {
  requested,
  CONTROL_ANNOTATIONS,
  PAUSE_ANNOTATION,
  RESET_ANNOTATION,
  SKIP_ANALYSIS_ANNOTATION,
} from './extensions.ts';
import {
  failedPromotion,
  finalise,
  promotionTrafficShift,
  rollback,
  skipAnalysis as promoteWithoutAnalysis,
} from './outcomes.ts';
import { canaryId, targetId } from './recorder.ts';
import { markRunStart, setCounter, syncStatus, withoutAnnotation } from './status.ts';
import { runAB, runBlueGreen, runCanary } from './strategies.ts';
import { adoptFlaggerStatus } from './takeover.ts';
import type { TickEnd } from './jobs.ts';
import { ANALYSING_PHASES, IDLE_PHASES } from './phases.ts';
import { abortRequested, acknowledgeNextStep } from './control-requests.ts';
import { runChecks, verifyQueriesOnce } from './step-checks.ts';
import { TickContext } from './tick-context.ts';
import { ALL_TO_PRIMARY, nextStepWeight } from './weights.ts';
import type { SchedulerDeps } from './types.ts';

/** The analysis is over and the promotion runs: a reset waits until it is done. */
const PROMOTING = new Set(['Promoting', 'Finalising']);

/**
 * Runs one tick for the canary name/namespace. Never throws: failures become events. The tick ended idle when
 * it left the canary in an idle phase without a warning; after a warning the next tick comes at the interval.
 * The tick is one read scope: its plugins share what it read and wrote instead of a GET each.
 */
export function advanceCanary(
  deps: SchedulerDeps,
  namespace: string,
  name: string,
  requestOnly = false,
): Promise<TickEnd> {
  const tick = () => advanceInScope(deps, namespace, name, requestOnly);
  return deps.carriedReads?.run(namespacedKey(namespace, name), tick) ?? withReadScope(tick);
}

async function advanceInScope(
  deps: SchedulerDeps,
  namespace: string,
  name: string,
  requestOnly: boolean,
): Promise<TickEnd> {
  // Always a fresh read, never the informer's cache: the tick must start from the stored status. A copy carried
  // from the previous tick is never used for it either, as no dependency watch covers Canaries (isCurrent).
  const canary = await deps.kube.tryGet<Canary>({ apiVersion: API_VERSION, kind: 'Canary', name, namespace });
  if (!canary) {
    deps.recorder.logger({ metadata: { name, namespace } }).error(`Canary ${name}.${namespace} not found`);
    return 'retry';
  }
  const skipped = await skippedTick(deps, canary, requestOnly);
  if (skipped !== undefined) return skipped;
  let ctx: TickContext | undefined;
  try {
    ctx = new TickContext(deps, canary);
    await tick(ctx);
    return endOf(ctx.phase, ctx.warned);
  } catch (err) {
    await deps.recorder.warn(ctx?.canary ?? canary, err instanceof Error ? err.message : String(err));
    return endOf(ctx?.phase ?? canary.status?.phase, true);
  }
}

/** How a tick ends that does nothing: suspended, paused, or a request already taken; undefined: it runs. */
async function skippedTick(
  deps: SchedulerDeps,
  canary: Canary,
  requestOnly: boolean,
): Promise<TickEnd | undefined> {
  // A request the previous tick already took: during an analysis another tick now would be an extra step.
  const pending = CONTROL_ANNOTATIONS.some(key => canary.metadata.annotations?.[key] !== undefined);
  if (requestOnly && !pending && ANALYSING_PHASES.has(canary.status?.phase ?? '')) return 'analysing';
  if (canary.spec.suspend === true) {
    await deps.recorder.info(canary, 'skipping canary run as object is suspended');
    return endOf(canary.status?.phase);
  }
  // Extension: pause through an annotation, which GitOps tools leave alone (they own the spec).
  if (requested(canary, PAUSE_ANNOTATION)) {
    await deps.recorder.info(canary, `skipping canary run as ${PAUSE_ANNOTATION} is set`);
    return endOf(canary.status?.phase);
  }
  return undefined;
}

function endOf(phase: string | undefined, warned = false): TickEnd {
  if (ANALYSING_PHASES.has(phase ?? '')) return 'analysing';
  return IDLE_PHASES.has(phase ?? '') && !warned ? 'idle' : 'retry';
}

async function tick(ctx: TickContext): Promise<void> {
  if (!(await reconcileInfrastructure(ctx))) return;
  await adoptFlaggerStatus(ctx);
  if (ctx.isInitializing) await setInitialized(ctx);
  await verifyQueriesOnce(ctx);
  if (await abortRequested(ctx)) return;
  await acknowledgeNextStep(ctx);
  const reset = requested(ctx.canary, RESET_ANNOTATION) && !PROMOTING.has(ctx.phase);
  if (!(await shouldAdvance(ctx, reset))) return;
  const analysing = !skipAnalysis(ctx.canary.spec) && !requested(ctx.canary, SKIP_ANALYSIS_ANNOTATION);
  if (analysing && !(await primaryReady(ctx))) return;
  if (reset) {
    await resetAnalysis(ctx);
    return;
  }
  const routes = await ctx.router.getRoutes(ctx.canary);
  ctx.telemetry.setWeight(ctx.canary, routes.primaryWeight, routes.canaryWeight);
  if (!(await startRunIfNew(ctx))) return;
  if (await restartOnNewRevision(ctx)) return;
  if (!(await canaryReady(ctx))) return;
  if (!analysing) {
    await promoteWithoutAnalysis(ctx);
    return;
  }
  await analyse(ctx, routes);
}

/** Steps 4–14: Services, primary workload, autoscalers and mesh objects, created or brought up to date. */
async function reconcileInfrastructure(ctx: TickContext): Promise<boolean> {
  const { deps } = ctx;
  ctx.metadata = await ctx.target.getMetadata(ctx.canary);
  await ctx.services.initialize(ctx.canary, ctx.metadata);
  if (!skipAnalysis(ctx.canary.spec) && ctx.isInitializing) {
    const problems = await deps.metricProviderProblems(ctx.canary);
    if (problems.length > 0)
      await deps.recorder.error(ctx.canary, `Error checking metric providers: ${problems.join('; ')}`);
    else await ctx.info('all the metrics providers are available!');
  }
  ctx.router = deps.router(ctx.provider, ctx.metadata);
  // App Mesh needs its virtual nodes before the primary's pods start, so that they get the Envoy sidecar.
  const appMesh = ctx.provider.startsWith('appmesh');
  if (appMesh) await ctx.router.reconcile(ctx.canary);
  await ctx.target.initialize(ctx.canary);
  if (ctx.isInitializing && !skipAnalysis(ctx.canary.spec) && !(await primaryReady(ctx))) return false;
  if (ctx.scaler) {
    await ctx.scaler.reconcilePrimaryScaler(ctx.canary, true);
    if (ctx.isInitializing) await ctx.scaler.pauseTargetScaler(ctx.canary);
  }
  await ctx.services.reconcile(ctx.canary, ctx.metadata);
  if (ctx.isInitializing) {
    const { kind, name } = ctx.canary.spec.targetRef;
    deps.recorder
      .logger(ctx.canary)
      .info(`Scaling down ${kind} ${name}.${ctx.canary.metadata.namespace ?? ''}`);
    try {
      await ctx.target.scaleToZero(ctx.canary);
    } catch (err) {
      await ctx.warn(
        `scaling down canary ${kind} ${name}.${ctx.canary.metadata.namespace ?? ''} failed: ${(err as Error).message}`,
      );
      return false;
    }
  }
  // Taking over an existing mesh object happens once the primary is up: no downtime.
  if (!appMesh) await ctx.router.reconcile(ctx.canary);
  return true;
}

async function setInitialized(ctx: TickContext): Promise<void> {
  await ctx.write(syncStatus({ phase: 'Initialized' }, await ctx.target.revision(ctx.canary)));
  await ctx.info(`Initialization done! ${canaryId(ctx.canary)}`);
  await ctx.deps.recorder.alert(
    ctx.canary,
    `New ${ctx.canary.spec.targetRef.kind} detected, initialization completed.`,
    true,
    'info',
  );
}

/** Step 16: an idle canary goes on only when its target or a tracked config changed, or a reset asks for it. */
async function shouldAdvance(ctx: TickContext, reset: boolean): Promise<boolean> {
  if (ANALYSING_PHASES.has(ctx.phase)) return true;
  // A change is judged against the status as read at the start of the tick, as Flagger does (it syncs a copy):
  // judged after the sync below, a new revision of a failed canary would never be seen.
  const { canary } = ctx;
  if (ctx.phase === 'Failed') {
    // The failed revision becomes the applied one, so that only a new change starts another run.
    const { phase, canaryWeight, failedChecks, iterations } = canary.status ?? {};
    await ctx.write(
      syncStatus(
        { phase: phase ?? 'Failed', canaryWeight, failedChecks, iterations },
        await ctx.target.revision(canary),
      ),
    );
  }
  return (
    reset || (await ctx.target.hasTargetChanged(canary)) || (await ctx.target.haveDependenciesChanged(canary))
  );
}

/** Primary readiness; a non-retriable failure rolls back (or fails the promotion). */
async function primaryReady(ctx: TickContext): Promise<boolean> {
  const readiness = await ctx.target.isPrimaryReady(ctx.canary);
  if (readiness.ready) return true;
  await ctx.warn(readiness.message);
  if (!readiness.retriable) {
    if (ctx.phase === 'Promoting' || ctx.phase === 'Finalising')
      await failedPromotion(ctx, readiness.message);
    else await rollback(ctx);
  }
  return false;
}

/** Canary readiness; a non-retriable failure (progress deadline) rolls back. */
async function canaryReady(ctx: TickContext): Promise<boolean> {
  const readiness = await ctx.target.isCanaryReady(ctx.canary);
  if (readiness.ready) return true;
  if (readiness.scaledToZero === true) return scaledToZero(ctx, readiness.message);
  await ctx.warn(readiness.message);
  if (!readiness.retriable) {
    // Quirk Q6 fixed: Flagger means to report the exceeded deadline here but never reaches that code.
    await ctx.warn(`Rolling back ${canaryId(ctx.canary)} progress deadline exceeded ${readiness.message}`);
    await ctx.deps.recorder.alert(
      ctx.canary,
      `Progress deadline exceeded ${readiness.message}`,
      false,
      'error',
    );
    await rollback(ctx);
  }
  return false;
}

/** Step 20: a new revision (or one waiting for approval) passes confirm-rollout, then scales up. */
async function startRunIfNew(ctx: TickContext): Promise<boolean> {
  if (ANALYSING_PHASES.has(ctx.phase) && ctx.phase !== 'Waiting') return true;
  // Record the revision first, so that the hooks' checksum names the revision they are asked about. A canary
  // already Waiting for this revision stays Waiting while the gate is asked again, as in Flagger (no phase flip,
  // no repeated "waiting for approval" event).
  const revision = await ctx.target.revision(ctx.canary);
  const waitingForIt =
    ctx.phase === 'Waiting' &&
    ctx.canary.status?.lastAppliedSpec === revision.specHash &&
    JSON.stringify(ctx.canary.status.trackedConfigs ?? {}) === JSON.stringify(revision.trackedConfigs);
  if (!waitingForIt) await ctx.write(syncStatus({ phase: 'Progressing' }, revision));
  if (!(await ctx.gates.confirmRollout(ctx.canary))) return false;
  const progressing = ctx.inPhase('Progressing');
  await ctx.deps.recorder.info(progressing, `New revision detected! Scaling up ${targetId(ctx.canary)}`);
  await ctx.deps.recorder.alert(
    progressing,
    'New revision detected, progressing canary analysis.',
    true,
    'info',
  );
  await ctx.scaler?.resumeTargetScaler(ctx.canary);
  try {
    await ctx.target.scaleFromZero(ctx.canary);
  } catch (err) {
    await ctx.deps.recorder.error(ctx.canary, (err as Error).message);
    return false;
  }
  await ctx.write(syncStatus({ phase: 'Progressing' }, revision), markRunStart());
  // The analysis starts on the next tick.
  return false;
}

/** Step 21: a change to the target during the analysis starts it over. */
async function restartOnNewRevision(ctx: TickContext): Promise<boolean> {
  if (ctx.phase !== 'Progressing' && ctx.phase !== 'WaitingPromotion') return false;
  const changed =
    (await ctx.target.hasTargetChanged(ctx.canary)) || (await ctx.target.haveDependenciesChanged(ctx.canary));
  if (!changed) return false;
  await restartAnalysis(ctx);
  await ctx.info(`New revision detected! Restarting analysis for ${targetId(ctx.canary)}`);
  return true;
}

/** All traffic back to the primary, and the analysis of the current revision from weight 0. */
async function restartAnalysis(ctx: TickContext): Promise<void> {
  await ctx.setRoutes(ALL_TO_PRIMARY);
  await ctx.write(
    syncStatus({ phase: 'Progressing' }, await ctx.target.revision(ctx.canary)),
    markRunStart(),
  );
}

/**
 * Extension (flagger.app/reset, one-shot): a run in progress starts over from weight 0, as on a new revision;
 * a run waiting for confirm-rollout, or an idle canary, (re)starts a run of the current revision.
 */
async function resetAnalysis(ctx: TickContext): Promise<void> {
  await ctx.info(`Analysis reset for ${canaryId(ctx.canary)}`);
  if (ctx.phase === 'Progressing' || ctx.phase === 'WaitingPromotion') await restartAnalysis(ctx);
  else await startRunIfNew(ctx);
  await ctx.modify(withoutAnnotation(RESET_ANNOTATION));
}

/**
 * A canary with no pods during the analysis is a run cut short (a crash or kill -9 between recording the new
 * revision and scaling up, or one mid-rollback): it is scaled up again and never analysed, let alone promoted,
 * while it has none. Once promoted, or with a rollback due, zero pods is where it is meant to be.
 */
async function scaledToZero(ctx: TickContext, message: string): Promise<boolean> {
  const failedChecks = ctx.canary.status?.failedChecks ?? 0;
  if (PROMOTING.has(ctx.phase) || failedChecks >= analysisThreshold(ctx.canary.spec.analysis)) return true;
  await ctx.warn(message);
  await ctx.target.scaleFromZero(ctx.canary);
  return false;
}

/** Steps 24–32: rollback requests, promotion steps, the failed-checks threshold, checks and the next step. */
async function analyse(ctx: TickContext, routes: Routes): Promise<void> {
  const { phase } = ctx;
  if (
    (phase === 'Progressing' || phase === 'Waiting' || phase === 'WaitingPromotion') &&
    (await ctx.gates.rollbackRequested(ctx.canary, phase))
  ) {
    await ctx.warn(`Rolling back ${canaryId(ctx.canary)} manual webhook invoked`);
    await ctx.deps.recorder.alert(ctx.canary, 'Rolling back manual webhook invoked', false, 'warn');
    await rollback(ctx);
    return;
  }
  if (phase === 'Promoting') {
    await ctx.scaler?.reconcilePrimaryScaler(ctx.canary, false);
    await promotionTrafficShift(ctx, routes);
    return;
  }
  if (phase === 'Finalising') {
    await finalise(ctx);
    return;
  }
  const failedChecks = ctx.canary.status?.failedChecks ?? 0;
  if (
    (phase === 'Progressing' || phase === 'WaitingPromotion') &&
    failedChecks >= analysisThreshold(ctx.canary.spec.analysis)
  ) {
    await rollback(ctx);
    return;
  }
  // flagger_canary_duration_seconds times the checks and the step, as Flagger's deferred SetDuration does.
  const begin = performance.now();
  try {
    const checks = await runChecks(ctx, routes);
    if (checks === 'failed') {
      await ctx.write(setCounter('failedChecks', failedChecks + 1));
      return;
    }
    if (checks === 'passed') await nextStep(ctx, routes);
  } finally {
    ctx.telemetry.observeDuration(ctx.canary, (performance.now() - begin) / 1000);
  }
}

/** Steps 30–32: the strategy's next step. */
async function nextStep(ctx: TickContext, routes: Routes): Promise<void> {
  let analysis = ctx.canary.spec.analysis;
  if (ctx.provider === 'kubernetes') {
    if ((analysis.match?.length ?? 0) > 0)
      await ctx.warn('A/B testing is not supported when using the kubernetes provider');
    if ((analysis.iterations ?? 0) < 1) {
      await ctx.warn('Progressive traffic is not supported when using the kubernetes provider');
      await ctx.warn(`Setting canaryAnalysis.iterations: ${KUBERNETES_PROVIDER_ITERATIONS}`);
    }
    const iterations = analysis.iterations ?? 0;
    analysis = {
      ...analysis,
      match: undefined,
      iterations: iterations < 1 ? KUBERNETES_PROVIDER_ITERATIONS : iterations,
    };
  }
  switch (deploymentStrategy(analysis, ctx.provider)) {
    case 'ab-testing':
      await runAB(ctx, analysis);
      return;
    case 'blue-green':
      await runBlueGreen(ctx, analysis, routes);
      return;
    case 'canary':
      await runCanaryStep(ctx, routes);
      return;
  }
}

async function runCanaryStep(ctx: TickContext, routes: Routes): Promise<void> {
  if (nextStepWeight(ctx.canary.spec.analysis, routes.canaryWeight) <= 0) return;
  const gated = !routes.mirrored && !['Promoting', 'WaitingPromotion', 'Finalising'].includes(ctx.phase);
  if (gated && !(await ctx.gates.confirmTrafficIncrease(ctx.canary))) return;
  await runCanary(ctx, routes);
}
