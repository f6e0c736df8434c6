// The predicted timeline of a release, tick by tick, for `flagger plan` and `flagger describe`. It replays the
// controller's decisions (scheduler/advance.ts and strategies.ts) with every check passing and every gate open:
// the weight arithmetic is the controller's own (scheduler/weights.ts), the defaults come from api/defaults.ts.
import type { Canary, CanaryAnalysis, CanaryStatus, WebhookType } from '../../api/canary.ts';
import {
  analysisIntervalMs,
  analysisIterations,
  analysisThreshold,
  canaryProvider,
  deploymentStrategy,
  maxWeight,
  MIN_ANALYSIS_INTERVAL_MS,
  progressDeadlineSeconds,
  skipAnalysis,
  type DeploymentStrategy,
} from '../../api/defaults.ts';
import { formatDuration, parseDuration } from '../../api/duration.ts';
import type { CanaryPhase } from '../../api/phases.ts';
import type { Routes } from '../../routers/types.ts';
import {
  ALL_TO_CANARY,
  ALL_TO_PRIMARY,
  nextCanaryRoutes,
  nextPromotionRoutes,
  nextStepWeight,
} from '../../scheduler/weights.ts';
import { hooksOfType } from '../../webhooks/run.ts';

export interface PlanOptions {
  /** The controller's -mesh-provider, used when spec.provider is empty. */
  meshProvider: string;
  /** The controller's -min-analysis-interval (default 10s). */
  minIntervalMs?: number;
}

/** What runs in a tick: the webhooks of one type (by name) or the metric checks. */
export interface PlanRun {
  kind: Exclude<WebhookType, ''> | 'metrics';
  names: string[];
}

/**
 * start: new revision, canary scaled up; step: a weight or iteration step; hold: analysis.delay keeps traffic
 * where it is; switch: blue/green routes all traffic to the canary; promote: the canary is copied to the
 * primary; promotion-step: traffic goes back to the primary; finalise: the canary is scaled down.
 */
export type TickAction =
  'start' | 'step' | 'hold' | 'switch' | 'promote' | 'promotion-step' | 'finalise' | 'skip-analysis';

export interface PlanTick {
  /** Ticks after the one that detects the new revision (0). */
  tick: number;
  /** Earliest time of the tick after the detection: tick × interval. */
  atMs: number;
  action: TickAction;
  /** The analysis step this tick makes, from 1 (weight or iteration steps only). */
  step?: number;
  /** Webhooks and metric checks of the tick, in the order the controller runs them. */
  runs: PlanRun[];
  /** Traffic after the tick. */
  routes: Routes;
  /** A/B testing and blue/green: iterations done after the tick. */
  iteration?: number;
  /** Phase after the tick. */
  phase: CanaryPhase;
  /** The event the controller records for the tick, word for word, when it records one... */
  event?: string;
  /** ...else what happens, in words. */
  note?: string;
}

export interface Plan {
  canary: string;
  strategy: DeploymentStrategy;
  skipAnalysis: boolean;
  provider: string;
  intervalMs: number;
  threshold: number;
  maxWeight?: number;
  stepWeight?: number;
  stepWeights?: number[];
  stepWeightPromotion?: number;
  iterations?: number;
  mirror: boolean;
  delayMs?: number;
  /** Analysis steps: the controller's "Advance ... canary weight/iteration" events. */
  steps: number;
  /** Canary strategy: the canary weight of each step (0 for a mirror step). */
  weights: number[];
  ticks: PlanTick[];
  /** False when the analysis can never reach promotion (see remarks). */
  promotes: boolean;
  /** From the first analysis step to the tick that updates the primary. */
  analysisMs?: number;
  /** When the canary is copied to the primary, after the detection of the new revision. */
  promotionAtMs?: number;
  /** The minimum time to promote: when the phase becomes Succeeded, after the detection. */
  succeededAtMs?: number;
  /** Failing checks roll back this long after the first one failed: interval × threshold. */
  rollbackAfterMs: number;
  /** When every check fails from the first one: the rollback, after the detection. */
  earliestRollbackAtMs?: number;
  progressDeadlineSeconds: number;
  remarks: string[];
}

/** A runaway guard: no real analysis has anywhere near this many ticks. */
const MAX_TICKS = 2_000;

/** Phases a tick can leave the canary in. */
interface SimState {
  routes: Routes;
  iterations: number;
  phase: CanaryPhase;
}

class Timeline {
  readonly ticks: PlanTick[] = [];
  readonly weights: number[] = [];
  steps = 0;
  state: SimState = { routes: ALL_TO_PRIMARY, iterations: 0, phase: 'Progressing' };
  readonly intervalMs: number;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  get next(): number {
    return this.ticks.length;
  }

  /** Adds a tick; `said` is the controller's event, or a note ({ note }) when it records none. */
  add(
    action: TickAction,
    runs: PlanRun[],
    said: string | { note: string },
    change: Partial<SimState> = {},
  ): PlanTick {
    this.state = { ...this.state, ...change };
    const step = action === 'step' ? ++this.steps : undefined;
    const tick: PlanTick = {
      tick: this.next,
      atMs: this.next * this.intervalMs,
      action,
      ...(step !== undefined && { step }),
      runs: runs.filter(r => r.names.length > 0),
      routes: this.state.routes,
      ...(this.state.iterations > 0 && { iteration: this.state.iterations }),
      phase: this.state.phase,
      ...(typeof said === 'string' ? { event: said } : said),
    };
    this.ticks.push(tick);
    return tick;
  }
}

interface Names {
  id: string;
  target: string;
  primary: string;
}

/** The predicted timeline of the canary's next release, with every check passing and every gate open. */
export function computePlan(canary: Canary, options: PlanOptions): Plan {
  const { spec } = canary;
  const namespace = canary.metadata.namespace ?? 'default';
  const names: Names = {
    id: `${canary.metadata.name ?? ''}.${namespace}`,
    target: `${spec.targetRef.name}.${namespace}`,
    primary: `${spec.targetRef.name}-primary.${namespace}`,
  };
  const provider = canaryProvider(spec, options.meshProvider);
  const analysis = effectiveAnalysis(spec.analysis, provider);
  const minIntervalMs = options.minIntervalMs ?? MIN_ANALYSIS_INTERVAL_MS;
  const intervalMs = analysisIntervalMs(spec.analysis, minIntervalMs);
  const strategy = deploymentStrategy(analysis, provider);
  const timeline = new Timeline(intervalMs);
  const remarks: string[] = [];
  timeline.add(
    'start',
    [hooks(analysis, 'confirm-rollout')],
    `New revision detected! Scaling up ${names.target}`,
  );
  const skipping = skipAnalysis(spec);
  let promotes: boolean;
  if (skipping) {
    timeline.add(
      'skip-analysis',
      [],
      `Promotion completed! Canary analysis was skipped for ${names.target}`,
      { phase: 'Succeeded' },
    );
    remarks.push('spec.skipAnalysis: the new revision is promoted without analysis once its pods are ready.');
    promotes = true;
  } else {
    const delayMs = parseDuration(analysis.delay ?? '') ?? 0;
    promotes = analyse(timeline, { analysis, strategy, provider, names, delayMs, remarks });
    if (promotes) promotion(timeline, { analysis, provider, names, remarks });
  }
  return summarize(canary, {
    timeline,
    analysis,
    strategy,
    provider,
    intervalMs,
    minIntervalMs,
    skipping,
    promotes,
    remarks,
  });
}

/** The analysis as the controller runs it: the kubernetes provider ignores match and runs 10 iterations at least. */
function effectiveAnalysis(analysis: CanaryAnalysis, provider: string): CanaryAnalysis {
  if (provider !== 'kubernetes') return analysis;
  return { ...analysis, match: undefined, iterations: analysisIterations(analysis, provider) };
}

function hooks(analysis: CanaryAnalysis, type: Exclude<WebhookType, ''>): PlanRun {
  return { kind: type, names: hooksOfType(analysis, type).map(h => h.name) };
}

function metrics(analysis: CanaryAnalysis): PlanRun {
  return { kind: 'metrics', names: (analysis.metrics ?? []).map(m => m.name) };
}

interface AnalyseInput {
  analysis: CanaryAnalysis;
  strategy: DeploymentStrategy;
  provider: string;
  names: Names;
  delayMs: number;
  remarks: string[];
}

/** The analysis ticks up to the promotion; false when the analysis never gets there. */
function analyse(timeline: Timeline, input: AnalyseInput): boolean {
  const { analysis, names, delayMs } = input;
  while (timeline.next < MAX_TICKS) {
    const { routes, iterations } = timeline.state;
    // runChecks: the first step runs the pre-rollout hooks only; every later one the rollout hooks and metrics.
    const firstStep =
      routes.canaryWeight === 0 && iterations === 0 && !(analysis.mirror === true && routes.mirrored);
    const checks = firstStep
      ? [hooks(analysis, 'pre-rollout')]
      : [hooks(analysis, 'rollout'), metrics(analysis)];
    if (!firstStep && timeline.next * timeline.intervalMs < delayMs) {
      const remaining = formatDuration(
        Math.ceil((delayMs - timeline.next * timeline.intervalMs) / 1000) * 1000,
      );
      timeline.add('hold', [hooks(analysis, 'rollout')], `Delaying analysis of ${names.id} for ${remaining}`);
      continue;
    }
    const outcome = strategyStep(timeline, input, checks);
    if (outcome !== 'continue') return outcome === 'promote';
  }
  input.remarks.push(`The analysis does not reach promotion within ${MAX_TICKS} ticks.`);
  return false;
}

type StepOutcome = 'continue' | 'promote' | 'stuck';

function strategyStep(timeline: Timeline, input: AnalyseInput, checks: PlanRun[]): StepOutcome {
  switch (input.strategy) {
    case 'canary':
      return canaryStep(timeline, input, checks);
    case 'ab-testing':
      return abStep(timeline, input, checks);
    case 'blue-green':
      return blueGreenStep(timeline, input, checks);
  }
}

function promote(timeline: Timeline, input: AnalyseInput, runs: PlanRun[]): StepOutcome {
  const { names } = input;
  // setPhase('Promoting') zeroes the counters in the status; the routes stay until the promotion shifts them.
  timeline.add('promote', runs, `Copying ${names.target} template spec to ${names.primary}`, {
    phase: 'Promoting',
    iterations: 0,
  });
  return 'promote';
}

/** runCanaryStep / runCanary: one weight step per tick up to maxWeight, then the promotion gate. */
function canaryStep(timeline: Timeline, input: AnalyseInput, checks: PlanRun[]): StepOutcome {
  const { analysis, names } = input;
  const { routes } = timeline.state;
  if (routes.canaryWeight >= maxWeight(analysis)) {
    return promote(timeline, input, [...checks, hooks(analysis, 'confirm-promotion')]);
  }
  if (nextStepWeight(analysis, routes.canaryWeight) <= 0) {
    input.remarks.push(
      'The analysis has no weight step (stepWeight and stepWeights are not set above 0): it never advances.',
    );
    return 'stuck';
  }
  const gate = routes.mirrored ? [] : [hooks(analysis, 'confirm-traffic-increase')];
  const next = nextCanaryRoutes(analysis, routes);
  timeline.weights.push(next.canaryWeight);
  timeline.add('step', [...checks, ...gate], `Advance ${names.id} canary weight ${next.canaryWeight}`, {
    routes: next,
  });
  return 'continue';
}

/** runAB: requests that match go to the canary for `iterations` ticks, then the promotion gate. */
function abStep(timeline: Timeline, input: AnalyseInput, checks: PlanRun[]): StepOutcome {
  const { analysis, names } = input;
  const total = analysis.iterations ?? 0;
  const done = timeline.state.iterations;
  if (total > done) {
    timeline.add('step', checks, `Advance ${names.id} canary iteration ${done + 1}/${total}`, {
      routes: ALL_TO_CANARY,
      iterations: done + 1,
    });
    return 'continue';
  }
  return promote(timeline, input, [...checks, hooks(analysis, 'confirm-promotion')]);
}

/** runBlueGreen: `iterations` ticks of tests, one tick with all traffic on the canary, then the promotion. */
function blueGreenStep(timeline: Timeline, input: AnalyseInput, checks: PlanRun[]): StepOutcome {
  const { analysis, names, provider } = input;
  const total = analysis.iterations ?? 0;
  const { iterations: done, routes } = timeline.state;
  const routesTraffic = provider !== 'kubernetes';
  if (total > done) {
    const mirrorNow = routesTraffic && analysis.mirror === true && !routes.mirrored;
    timeline.add('step', checks, `Advance ${names.id} canary iteration ${done + 1}/${total}`, {
      iterations: done + 1,
      ...(mirrorNow && { routes: { primaryWeight: 100, canaryWeight: 0, mirrored: true } }),
    });
    return 'continue';
  }
  if (total === done) {
    const said = !routesTraffic
      ? { note: 'Promotion approved: the canary is promoted on the next tick' }
      : analysis.mirror === true
        ? 'Stop traffic mirroring and route all traffic to canary'
        : 'Routing all traffic to canary';
    timeline.add('switch', [...checks, hooks(analysis, 'confirm-promotion')], said, {
      iterations: done + 1,
      ...(routesTraffic && { routes: ALL_TO_CANARY }),
    });
    return 'continue';
  }
  return promote(timeline, input, checks);
}

/** promotionTrafficShift and finalise: traffic back to the primary, then the canary scaled down. */
function promotion(
  timeline: Timeline,
  input: Pick<AnalyseInput, 'analysis' | 'provider' | 'names' | 'remarks'>,
): void {
  const { analysis, provider, names } = input;
  const step = analysis.stepWeightPromotion ?? 0;
  if (provider === 'kubernetes') {
    timeline.add(
      'promotion-step',
      [],
      { note: 'Primary updated; no traffic to shift' },
      { phase: 'Finalising' },
    );
  } else if (step === 0) {
    timeline.add('promotion-step', [], 'Routing all traffic to primary', {
      routes: ALL_TO_PRIMARY,
      phase: 'Finalising',
    });
  } else {
    while (timeline.next < MAX_TICKS) {
      const { routes } = timeline.state;
      if (routes.canaryWeight <= 0) {
        input.remarks.push('The promotion never shifts traffic: the canary has no weight to give back.');
        return;
      }
      const next = nextPromotionRoutes(step, routes);
      const done = next.primaryWeight === 100;
      timeline.add('promotion-step', [], `Advance ${names.id} primary weight ${next.primaryWeight}`, {
        routes: next,
        ...(done && { phase: 'Finalising' as const }),
      });
      if (done) break;
    }
  }
  timeline.add(
    'finalise',
    [hooks(analysis, 'post-rollout')],
    `Promotion completed! Scaling down ${names.target}`,
    {
      phase: 'Succeeded',
    },
  );
}

interface SummaryInput {
  timeline: Timeline;
  analysis: CanaryAnalysis;
  strategy: DeploymentStrategy;
  provider: string;
  intervalMs: number;
  minIntervalMs: number;
  skipping: boolean;
  promotes: boolean;
  remarks: string[];
}

function summarize(canary: Canary, input: SummaryInput): Plan {
  const { timeline, analysis, strategy, provider, intervalMs, skipping } = input;
  const failing = skipping ? undefined : firstFailingTick(timeline.ticks);
  return {
    canary: `${canary.metadata.name ?? ''}.${canary.metadata.namespace ?? 'default'}`,
    strategy,
    skipAnalysis: skipping,
    provider,
    intervalMs,
    ...strategySettings(analysis, strategy),
    steps: timeline.steps,
    weights: timeline.weights,
    ticks: timeline.ticks,
    ...times(input, failing),
    progressDeadlineSeconds: progressDeadlineSeconds(canary.spec),
    remarks: [...input.remarks, ...remarksFor(canary, input, failing)],
  };
}

type StrategySettings = Pick<
  Plan,
  | 'threshold'
  | 'maxWeight'
  | 'stepWeight'
  | 'stepWeights'
  | 'iterations'
  | 'stepWeightPromotion'
  | 'mirror'
  | 'delayMs'
>;

function strategySettings(analysis: CanaryAnalysis, strategy: DeploymentStrategy): StrategySettings {
  const delayMs = parseDuration(analysis.delay ?? '') ?? 0;
  const { stepWeight, stepWeights, stepWeightPromotion } = analysis;
  return {
    threshold: analysisThreshold(analysis),
    ...(strategy === 'canary'
      ? {
          maxWeight: maxWeight(analysis),
          ...(stepWeight !== undefined && { stepWeight }),
          ...(stepWeights !== undefined && { stepWeights }),
        }
      : { iterations: analysis.iterations ?? 0 }),
    ...(stepWeightPromotion !== undefined && { stepWeightPromotion }),
    mirror: analysis.mirror === true && strategy !== 'ab-testing',
    ...(delayMs > 0 && { delayMs }),
  };
}

type PlanTimes = Pick<
  Plan,
  'promotes' | 'analysisMs' | 'promotionAtMs' | 'succeededAtMs' | 'rollbackAfterMs' | 'earliestRollbackAtMs'
>;

function times(input: SummaryInput, failing: number | undefined): PlanTimes {
  const { ticks } = input.timeline;
  const threshold = analysisThreshold(input.analysis);
  const firstStep = ticks[1];
  const promoteTick = ticks.find(t => t.action === 'promote' || t.action === 'skip-analysis');
  const succeeded = ticks.find(t => t.phase === 'Succeeded');
  const analysed = promoteTick !== undefined && firstStep !== undefined && !input.skipping;
  return {
    promotes: input.promotes && succeeded !== undefined,
    ...(analysed && { analysisMs: promoteTick.atMs - firstStep.atMs }),
    ...(promoteTick !== undefined && { promotionAtMs: promoteTick.atMs }),
    ...(succeeded !== undefined && { succeededAtMs: succeeded.atMs }),
    rollbackAfterMs: threshold * input.intervalMs,
    ...(failing !== undefined && { earliestRollbackAtMs: (failing + threshold) * input.intervalMs }),
  };
}

/** The first tick with a check that can fail: pre-rollout or rollout webhooks, or metrics. */
function firstFailingTick(ticks: PlanTick[]): number | undefined {
  return ticks.find(
    t =>
      t.tick > 0 &&
      t.action !== 'promotion-step' &&
      t.action !== 'finalise' &&
      t.runs.some(r => r.kind === 'pre-rollout' || r.kind === 'rollout' || r.kind === 'metrics'),
  )?.tick;
}

function remarksFor(canary: Canary, input: SummaryInput, failing: number | undefined): string[] {
  const { analysis, intervalMs, minIntervalMs, provider, skipping } = input;
  const remarks: string[] = [];
  const asked = parseDuration(analysis.interval);
  if (asked !== undefined && asked < minIntervalMs) {
    remarks.push(
      `analysis.interval ${analysis.interval} is below the controller's minimum: ticks run every ${intervalMs / 1000}s.`,
    );
  }
  remarks.push(
    'Times are the earliest: each tick runs an interval after the previous one ended, and the analysis waits ' +
      'while pods roll out.',
  );
  const deadline = progressDeadlineSeconds(canary.spec);
  remarks.push(
    `Pods of the canary (or of the primary) not ready within progressDeadlineSeconds (${deadline}s) roll the ` +
      'release back.',
  );
  if (skipping) return remarks;
  const gate = (type: Exclude<WebhookType, ''>, what: string) => {
    const names = hooksOfType(analysis, type).map(h => h.name);
    if (names.length > 0) remarks.push(`${type} ${names.join(', ')}: ${what}`);
  };
  gate('confirm-rollout', 'until it answers 2xx the canary waits in phase Waiting (no failed check).');
  gate('confirm-traffic-increase', 'until it answers 2xx the weight stays where it is (no failed check).');
  gate('confirm-promotion', 'until it answers 2xx the canary waits in phase WaitingPromotion.');
  gate('rollback', 'asked on every analysis tick; a 2xx answer rolls back at once.');
  if (failing === undefined) {
    remarks.push(
      'No metrics and no pre-rollout or rollout webhooks: no check can fail, so only pod readiness, rollback ' +
        'webhooks or an abort stop the release.',
    );
  } else {
    remarks.push(
      `Failed checks add up over the run (a passing check does not reset them); the ${ordinal(analysisThreshold(analysis))} ` +
        'one rolls back on the next tick.',
    );
  }
  if (analysis.delay !== undefined && (parseDuration(analysis.delay) ?? 0) > 0) {
    remarks.push(
      `analysis.delay ${analysis.delay}: metric checks count only that long after the run started.`,
    );
  }
  if (provider === 'kubernetes' && (canary.spec.analysis.iterations ?? 0) < 1) {
    remarks.push('The kubernetes provider cannot shift traffic: it runs blue/green with 10 iterations.');
  }
  if (input.strategy === 'ab-testing') {
    remarks.push(
      'A/B testing: only requests that match analysis.match reach the canary during the analysis.',
    );
  }
  return remarks;
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st... */
export function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Where a canary is in its plan now: the tick its status corresponds to, or undefined when idle. */
export function currentTick(plan: Plan, status: CanaryStatus | undefined): PlanTick | undefined {
  const last = (test: (t: PlanTick) => boolean) => plan.ticks.findLast(test);
  switch (status?.phase) {
    case 'Waiting':
      return plan.ticks[0];
    case 'Progressing':
      return progressingTick(plan, status);
    case 'WaitingPromotion':
      // The promotion gate: the promote tick, or blue/green's switch to the canary before it.
      return plan.ticks.find(t => t.action === 'promote' || t.action === 'switch');
    case 'Promoting':
      return last(t => t.action === 'promote');
    case 'Finalising':
      return last(t => t.action === 'promotion-step');
    default:
      return undefined;
  }
}

function progressingTick(plan: Plan, status: CanaryStatus): PlanTick | undefined {
  if (plan.strategy === 'canary') {
    const weight = status.canaryWeight ?? 0;
    if (weight === 0) return plan.ticks[0];
    return plan.ticks.findLast(t => t.action === 'step' && t.routes.canaryWeight === weight);
  }
  const iterations = status.iterations ?? 0;
  return iterations === 0 ? plan.ticks[0] : plan.ticks.findLast(t => t.iteration === iterations);
}

/** How one plan differs from another: settings, steps added and removed, and the change in time. */
export interface PlanDiff {
  settings: { field: string; before: string; after: string }[];
  stepsBefore: string[];
  stepsAfter: string[];
  added: string[];
  removed: string[];
  ticks: { before: number; after: number };
  succeededAtMs: { before?: number; after?: number; changeMs?: number };
  rollbackAfterMs: { before: number; after: number; changeMs: number };
  hooks: { added: string[]; removed: string[] };
}

/** The label of each analysis step: its canary weight (mirror for a mirror step) or its iteration. */
export function stepLabels(plan: Plan): string[] {
  return plan.ticks
    .filter(t => t.action === 'step')
    .map(t =>
      plan.strategy === 'canary'
        ? t.routes.mirrored && t.routes.canaryWeight === 0
          ? 'mirror'
          : `${t.routes.canaryWeight}%`
        : `iteration ${t.iteration ?? 0}`,
    );
}

const SETTINGS: [string, (p: Plan) => unknown][] = [
  ['strategy', p => (p.skipAnalysis ? 'skip-analysis' : p.strategy)],
  ['provider', p => p.provider],
  ['interval', p => `${p.intervalMs / 1000}s`],
  ['threshold', p => p.threshold],
  ['maxWeight', p => p.maxWeight],
  ['stepWeight', p => p.stepWeight],
  ['stepWeights', p => p.stepWeights?.join(', ')],
  ['iterations', p => p.iterations],
  ['stepWeightPromotion', p => p.stepWeightPromotion],
  ['mirror', p => p.mirror],
  ['delay', p => (p.delayMs === undefined ? undefined : `${p.delayMs / 1000}s`)],
];

export function diffPlans(before: Plan, after: Plan): PlanDiff {
  const show = (v: unknown) => (v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v));
  const settings = SETTINGS.map(([field, get]) => ({
    field,
    before: show(get(before)),
    after: show(get(after)),
  })).filter(s => s.before !== s.after);
  const stepsBefore = stepLabels(before);
  const stepsAfter = stepLabels(after);
  const hookNames = (p: Plan) =>
    new Set(
      p.ticks.flatMap(t =>
        t.runs.filter(r => r.kind !== 'metrics').flatMap(r => r.names.map(n => `${r.kind} ${n}`)),
      ),
    );
  const hooksBefore = hookNames(before);
  const hooksAfter = hookNames(after);
  return {
    settings,
    stepsBefore,
    stepsAfter,
    added: stepsAfter.filter(s => !stepsBefore.includes(s)),
    removed: stepsBefore.filter(s => !stepsAfter.includes(s)),
    ticks: { before: before.ticks.length, after: after.ticks.length },
    succeededAtMs: {
      ...(before.succeededAtMs !== undefined && { before: before.succeededAtMs }),
      ...(after.succeededAtMs !== undefined && { after: after.succeededAtMs }),
      ...(before.succeededAtMs !== undefined &&
        after.succeededAtMs !== undefined && { changeMs: after.succeededAtMs - before.succeededAtMs }),
    },
    rollbackAfterMs: {
      before: before.rollbackAfterMs,
      after: after.rollbackAfterMs,
      changeMs: after.rollbackAfterMs - before.rollbackAfterMs,
    },
    hooks: {
      added: [...hooksAfter].filter(h => !hooksBefore.has(h)),
      removed: [...hooksBefore].filter(h => !hooksAfter.has(h)),
    },
  };
}
