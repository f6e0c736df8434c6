// `flagger plan NAME | -f FILE [--diff]`: the predicted timeline of the next release before it happens; with a
// file and a canary on the cluster, what the file's change would do to that timeline.
import { readFileSync } from 'node:fs';
import { parseAllDocuments, type Document } from 'yaml';
import type { Canary } from '../../api/canary.ts';
import { checkSchema } from '../../api/schema-check.ts';
import { parseDuration } from '../../api/duration.ts';
import { validateCanary } from '../../api/validate.ts';
import {
  CLUSTER_OPTIONS,
  CliError,
  colorsFor,
  connectCluster,
  getCanary,
  helpRequested,
  outputFormat,
  OUTPUT_OPTION,
  parseCommandArgs,
  println,
  printStructured,
  run,
  terminalWidth,
  UsageError,
  type Io,
} from './common.ts';
import { formatSpan, formatTable, paragraph, type Cell, type Column, type Palette } from './table.ts';
import {
  computePlan,
  currentTick,
  diffPlans,
  type Plan,
  type PlanDiff,
  type PlanOptions,
  type PlanTick,
} from './timeline.ts';

export const PLAN_USAGE = `usage: flagger plan NAME [-n NAMESPACE] [-o table|json|yaml]
       flagger plan -f FILE [NAME] [--diff]
  -f, --filename FILE             plan the Canary in FILE (offline); with NAME or --diff, compare it with the
                                  canary of that name on the cluster
  --diff                          compare the Canary in FILE with the one on the cluster
  --mesh-provider NAME            the controller's -mesh-provider, for canaries without spec.provider (default istio)
  --min-analysis-interval DUR     the controller's -min-analysis-interval (default 10s)`;

const OPTIONS = {
  ...CLUSTER_OPTIONS,
  ...OUTPUT_OPTION,
  filename: { type: 'string', short: 'f' },
  diff: { type: 'boolean' },
  'mesh-provider': { type: 'string' },
  'min-analysis-interval': { type: 'string' },
} as const;

/** The Canary objects of a YAML file. */
export function canariesIn(text: string, file: string): Canary[] {
  const canaries: Canary[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      throw new CliError(`${file} is not valid YAML: ${document.errors.map(e => e.message).join('; ')}`);
    }
    const object = documentObject(document, file) as Partial<Canary> | null;
    if (object?.kind !== 'Canary') continue;
    // Not a string in a hostile file, possibly not even printable (`name: {toString: 1}`).
    const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '';
    const spec = object.spec as Partial<Canary['spec']> | undefined;
    if (spec?.analysis === undefined || spec.targetRef === undefined) {
      throw new CliError(`${file}: Canary ${name} has no spec.targetRef or spec.analysis`);
    }
    // The plan reads the fields with the types the schema gives them (a `webhooks: 5` made it throw): an
    // object the API server would refuse is refused here too, with its reasons.
    const { errors } = checkSchema(object);
    if (errors.length > 0) {
      throw new CliError(`${file}: Canary ${name} is invalid: ${errors.join('; ')}`);
    }
    canaries.push({ ...object, metadata: object.metadata ?? {}, spec: spec as Canary['spec'] });
  }
  return canaries;
}

/** A YAML document as a value; yaml's guard against alias bombs ("Excessive alias count") is a CliError. */
function documentObject(document: Document, file: string): unknown {
  try {
    return document.toJS();
  } catch (err) {
    throw new CliError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
}

function readCanaries(file: string, namespace: string): Canary[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const canaries = canariesIn(text, file).map(c => ({
    ...c,
    metadata: { ...c.metadata, namespace: c.metadata.namespace ?? namespace },
  }));
  if (canaries.length === 0) throw new CliError(`${file} has no Canary`);
  return canaries;
}

export async function runPlan(args: string[], io: Io): Promise<number> {
  return run(io, PLAN_USAGE, async () => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS);
    if (helpRequested(io, values, PLAN_USAGE)) return 0;
    const format = outputFormat(values.output);
    const [name, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const options = planOptions(values);
    const file = values.filename;
    if (file === undefined) {
      if (name === undefined) throw new UsageError('NAME or -f FILE is missing');
      if (values.diff === true) throw new UsageError('--diff needs -f FILE');
      const { client, namespace } = connectCluster(values);
      printPlans(io, format, [await getCanary(client, namespace, name)], options);
    } else if (name === undefined && values.diff !== true) {
      printPlans(io, format, readCanaries(file, values.namespace ?? 'default'), options);
    } else {
      const { client, namespace } = connectCluster(values);
      const inFile = readCanaries(file, namespace);
      const changed = name === undefined ? inFile : inFile.filter(c => c.metadata.name === name);
      if (changed.length === 0) throw new CliError(`${file} has no Canary named ${name ?? ''}`);
      const diffs = [];
      for (const after of changed) {
        const before = await getCanary(
          client,
          after.metadata.namespace ?? namespace,
          after.metadata.name ?? '',
        );
        diffs.push({ file, before: computePlan(before, options), after: computePlan(after, options) });
      }
      printDiffs(io, format, diffs);
    }
    return 0;
  });
}

function planOptions(values: { 'mesh-provider'?: string; 'min-analysis-interval'?: string }): PlanOptions {
  const minInterval = values['min-analysis-interval'];
  const minIntervalMs = minInterval === undefined ? undefined : parseDuration(minInterval);
  if (minInterval !== undefined && minIntervalMs === undefined) {
    throw new UsageError(`--min-analysis-interval ${minInterval} is not a duration (e.g. 10s)`);
  }
  return {
    meshProvider: values['mesh-provider'] ?? 'istio',
    ...(minIntervalMs !== undefined && { minIntervalMs }),
  };
}

function printPlans(
  io: Io,
  format: 'table' | 'json' | 'yaml',
  canaries: Canary[],
  options: PlanOptions,
): void {
  const plans = canaries.map(c => ({ canary: c, plan: computePlan(c, options) }));
  for (const { canary, plan } of plans) {
    const problems = validateCanary(canary, {
      noCrossNamespaceRefs: false,
      meshProvider: options.meshProvider,
    });
    for (const problem of problems) {
      println(
        io.err,
        `warning: ${plan.canary}: ${problem.message} (the controller does not analyse an invalid canary)`,
      );
    }
  }
  if (format !== 'table') {
    printStructured(io, format, plans.length === 1 ? plans[0]?.plan : plans.map(p => p.plan));
    return;
  }
  for (const [i, { canary, plan }] of plans.entries()) {
    if (i > 0) println(io.out);
    for (const line of renderPlan(plan, {
      colors: colorsFor(io.out, io.env),
      width: terminalWidth(io.out),
      now: currentTick(plan, canary.status),
    }))
      println(io.out, line);
  }
}

const span = (ms: number | undefined) => (ms === undefined ? '-' : formatSpan(ms));

/** The strategy and its settings: "canary, stepWeight 20, maxWeight 60", "blue/green, 10 iterations". */
export function strategyText(plan: Plan): string {
  if (plan.skipAnalysis) return 'no analysis (skipAnalysis)';
  const name = {
    canary: `canary${plan.mirror ? ' with a mirror step' : ''}`,
    'ab-testing': 'A/B testing',
    'blue-green': `blue/green${plan.mirror ? ' with mirroring' : ''}`,
  }[plan.strategy];
  const settings =
    plan.strategy === 'canary'
      ? plan.stepWeights !== undefined && (plan.stepWeight ?? 0) <= 0
        ? `stepWeights ${plan.stepWeights.join(', ')}`
        : `stepWeight ${plan.stepWeight ?? 0}, maxWeight ${plan.maxWeight ?? 100}`
      : `${plan.iterations ?? 0} iterations`;
  return `${name}, ${settings}`;
}

/** The settings line of a plan: strategy, provider, interval and threshold. */
export function planHeadline(plan: Plan): string {
  return (
    `Canary ${plan.canary}: ${strategyText(plan)}, on ${plan.provider}, every ${span(plan.intervalMs)}, ` +
    `threshold ${plan.threshold}`
  );
}

const TICK_COLUMNS: Column[] = [
  { header: 'TICK', align: 'right' },
  { header: 'AT', align: 'right' },
  { header: 'PHASE' },
  { header: 'PRIMARY/CANARY' },
  { header: 'RUNS', shrink: 'wrap' },
  { header: 'THEN', shrink: 'wrap' },
];

/** The traffic after a tick, e.g. 80/20, 100/0 mirrored, or A/B's matched requests on the canary. */
export function trafficText(plan: Plan, tick: PlanTick): string {
  const { primaryWeight, canaryWeight, mirrored } = tick.routes;
  if (plan.strategy === 'ab-testing' && (tick.action === 'step' || tick.action === 'promote')) {
    return 'matching requests → canary';
  }
  return `${primaryWeight}/${canaryWeight}${mirrored ? ' + mirror' : ''}`;
}

/** What runs in a tick, e.g. "rollout(load-test) + metrics(request-success-rate) + confirm-traffic-increase(gate)". */
export function runsText(tick: PlanTick): string {
  if (tick.runs.length === 0) return '-';
  return tick.runs.map(r => `${r.kind}(${r.names.join(', ')})`).join(' + ');
}

interface RenderOptions {
  colors: Palette;
  width: number;
  /** The tick the canary is at now, marked in the table. */
  now?: PlanTick | undefined;
}

/** The plan as text: headline, the ticks, the times, the remarks. */
export function renderPlan(plan: Plan, options: RenderOptions): string[] {
  const { colors, width, now } = options;
  const rows: Cell[][] = plan.ticks.map(tick => [
    { text: `${tick === now ? '▶ ' : ''}${tick.tick}`, ...(tick === now && { paint: colors.bold }) },
    tick.tick === 0 ? '0s' : `+${span(tick.atMs)}`,
    tick.phase,
    trafficText(plan, tick),
    runsText(tick),
    tick.event ?? tick.note ?? '',
  ]);
  return [
    colors.bold(planHeadline(plan)),
    '',
    ...formatTable(TICK_COLUMNS, rows, { maxWidth: width, paintHeader: colors.bold }),
    '',
    ...summaryLines(plan).flatMap(line => paragraph(line, width)),
    ...(plan.remarks.length > 0
      ? ['', 'Remarks:', ...plan.remarks.flatMap(r => paragraph(r, width, '  - '))]
      : []),
  ];
}

/** Minimum time to promote and maximum time to roll back, in words. */
export function summaryLines(plan: Plan): string[] {
  const lines: string[] = [];
  if (!plan.promotes) {
    lines.push('Promotion: never reached (see the remarks).');
  } else if (plan.skipAnalysis) {
    lines.push(`Minimum time to promote: ${span(plan.succeededAtMs)} (no analysis).`);
  } else {
    const unit = plan.strategy === 'canary' ? 'step' : 'iteration';
    lines.push(
      `Minimum time to promote: ${span(plan.succeededAtMs)} after the new revision is detected ` +
        `(${plan.steps} ${unit}${plan.steps === 1 ? '' : 's'}; analysis ${span(plan.analysisMs)}; ` +
        `primary updated at +${span(plan.promotionAtMs)}; Succeeded at +${span(plan.succeededAtMs)}).`,
    );
  }
  if (!plan.skipAnalysis) {
    lines.push(
      `Maximum time to roll back: ${span(plan.rollbackAfterMs)} of failing checks (interval ${span(plan.intervalMs)} × ` +
        `threshold ${plan.threshold})` +
        (plan.earliestRollbackAtMs === undefined
          ? '; no check can fail.'
          : `; at +${span(plan.earliestRollbackAtMs)} when every check fails from the first one.`),
    );
  }
  lines.push(
    `Progress deadline: ${plan.progressDeadlineSeconds}s for pods to become ready before a rollback.`,
  );
  return lines;
}

interface DiffOutput {
  file: string;
  before: Plan;
  after: Plan;
}

function printDiffs(io: Io, format: 'table' | 'json' | 'yaml', diffs: DiffOutput[]): void {
  const withChanges = diffs.map(d => ({ ...d, changes: diffPlans(d.before, d.after) }));
  if (format !== 'table') {
    printStructured(io, format, withChanges.length === 1 ? withChanges[0] : withChanges);
    return;
  }
  for (const [i, d] of withChanges.entries()) {
    if (i > 0) println(io.out);
    for (const line of renderDiff(d.before.canary, d.file, d.changes)) println(io.out, line);
  }
}

const signed = (ms: number) => (ms === 0 ? 'no change' : `${ms > 0 ? '+' : '-'}${formatSpan(Math.abs(ms))}`);

/** What a change does to a plan, in words. */
export function renderDiff(canary: string, file: string, diff: PlanDiff): string[] {
  const lines = [`Plan of ${canary}: cluster → ${file}`];
  for (const s of diff.settings) lines.push(`  ${s.field}: ${s.before} → ${s.after}`);
  const list = (steps: string[]) => (steps.length === 0 ? '(none)' : steps.join(', '));
  lines.push(`  steps: ${list(diff.stepsBefore)} → ${list(diff.stepsAfter)}`);
  if (diff.added.length > 0) lines.push(`  steps added: ${diff.added.join(', ')}`);
  if (diff.removed.length > 0) lines.push(`  steps removed: ${diff.removed.join(', ')}`);
  if (diff.hooks.added.length > 0) lines.push(`  webhooks added: ${diff.hooks.added.join(', ')}`);
  if (diff.hooks.removed.length > 0) lines.push(`  webhooks removed: ${diff.hooks.removed.join(', ')}`);
  const { before, after, changeMs } = diff.succeededAtMs;
  lines.push(
    `  minimum time to promote: ${span(before)} → ${span(after)}` +
      (changeMs === undefined ? '' : ` (${signed(changeMs)})`),
  );
  const rollback = diff.rollbackAfterMs;
  lines.push(
    `  maximum time to roll back: ${span(rollback.before)} → ${span(rollback.after)} (${signed(rollback.changeMs)})`,
  );
  const unchanged = [diff.settings, diff.added, diff.removed, diff.hooks.added, diff.hooks.removed].every(
    changes => changes.length === 0,
  );
  if (unchanged) {
    lines.push('  the change leaves the timeline as it is');
  }
  return lines;
}
