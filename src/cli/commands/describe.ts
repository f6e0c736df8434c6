// `flagger describe NAME`: one canary in full: its spec in short, where its release is, the decision record
// (status.metricChecks), its conditions, recent events and the objects the controller generates for it.
import type { Canary, CanaryCondition, CanaryMetric, CanaryMetricCheck } from '../../api/canary.ts';
import { serviceNames } from '../../api/defaults.ts';
import type { KubeClient } from '../../kube/client.ts';
import type {
  CoreEvent,
  DaemonSet,
  Deployment,
  HorizontalPodAutoscaler,
  KubeObject,
  Service,
} from '../../kube/types.ts';
import { PAUSE_ANNOTATION } from '../../scheduler/extensions.ts';
import {
  CLUSTER_OPTIONS,
  colorsFor,
  connectCluster,
  getCanary,
  helpRequested,
  nowOf,
  outputFormat,
  OUTPUT_OPTION,
  parseCommandArgs,
  println,
  printStructured,
  run,
  singleName,
  terminalWidth,
  UsageError,
  type Io,
} from './common.ts';
import { strategyText } from './plan.ts';
import {
  formatAge,
  formatSpan,
  formatTable,
  phasePaint,
  verdictPaint,
  type Cell,
  type Column,
  type Palette,
} from './table.ts';
import { computePlan, currentTick, stepLabels, type Plan } from './timeline.ts';

export const DESCRIBE_USAGE = `usage: flagger describe NAME [-n NAMESPACE] [-o table|json|yaml] [--events N]
  --events N             recent events to show (default 20)
  --mesh-provider NAME   the controller's -mesh-provider, for canaries without spec.provider (default istio)`;

const OPTIONS = {
  ...CLUSTER_OPTIONS,
  ...OUTPUT_OPTION,
  events: { type: 'string' },
  'mesh-provider': { type: 'string' },
} as const;

/** The conditions describe always reports, present or not. */
const CONDITIONS = ['Promoted', 'Validated', 'MetricsVerified'];

export interface GeneratedObject {
  kind: string;
  name: string;
  role: string;
  exists: boolean;
  state: string;
}

export interface EventLine {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeen: string;
}

export interface Description {
  name: string;
  namespace: string;
  plan: Plan;
  current?: string;
  requests: Record<string, string>;
  canary: Canary;
  conditions: (CanaryCondition | { type: string; status: 'absent'; meaning: string })[];
  metricChecks: CanaryMetricCheck[];
  events: EventLine[];
  objects: GeneratedObject[];
}

export async function runDescribe(args: string[], io: Io): Promise<number> {
  return run(io, DESCRIBE_USAGE, async () => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS);
    if (helpRequested(io, values, DESCRIBE_USAGE)) return 0;
    const name = singleName(positionals);
    const format = outputFormat(values.output);
    const events = Number(values.events ?? '20');
    if (!Number.isInteger(events) || events < 0) throw new UsageError('--events takes a whole number');
    const { client, namespace } = connectCluster(values);
    const canary = await getCanary(client, namespace, name);
    const description = await describeCanary(client, canary, {
      meshProvider: values['mesh-provider'] ?? 'istio',
      events,
    });
    if (format !== 'table') printStructured(io, format, description);
    else {
      const colors = colorsFor(io.out, io.env);
      const lines = renderDescription(description, { colors, width: terminalWidth(io.out), now: nowOf(io) });
      for (const line of lines) println(io.out, line);
    }
    return 0;
  });
}

/** Reads what a description needs besides the canary: events and the generated objects. */
export async function describeCanary(
  client: KubeClient,
  canary: Canary,
  options: { meshProvider: string; events: number },
): Promise<Description> {
  const namespace = canary.metadata.namespace ?? 'default';
  const name = canary.metadata.name ?? '';
  const plan = computePlan(canary, { meshProvider: options.meshProvider });
  const requests = Object.fromEntries(
    Object.entries(canary.metadata.annotations ?? {}).filter(
      ([key]) => key.startsWith('flagger.app/') && key !== 'flagger.app/primary-revision',
    ),
  );
  const [events, objects] = await Promise.all([
    recentEvents(client, canary, options.events),
    generatedObjects(client, canary),
  ]);
  const current = currentStep(plan, canary);
  return {
    name,
    namespace,
    plan,
    ...(current !== undefined && { current }),
    requests,
    canary,
    conditions: conditionsOf(canary),
    metricChecks: canary.status?.metricChecks ?? [],
    events,
    objects,
  };
}

/** The conditions, with the ones describe always reports said to be absent when they are. */
function conditionsOf(canary: Canary): Description['conditions'] {
  const present = canary.status?.conditions ?? [];
  const absent = CONDITIONS.filter(type => !present.some(c => c.type === type)).map(type => ({
    type,
    status: 'absent' as const,
    meaning:
      type === 'Validated'
        ? canary.status === undefined
          ? 'the controller has not seen the canary yet'
          : 'the spec passed validation'
        : type === 'MetricsVerified'
          ? 'no metric query verified yet (or no metrics)'
          : 'not initialized yet',
  }));
  return [...present, ...absent];
}

/** Where the release is, in words: "step 2 of 3 (canary weight 40)". */
export function currentStep(plan: Plan, canary: Canary): string | undefined {
  const tick = currentTick(plan, canary.status);
  if (tick === undefined) return undefined;
  const unit = plan.strategy === 'canary' ? 'step' : 'iteration';
  if (tick.step !== undefined) {
    const detail = plan.strategy === 'canary' ? ` (canary weight ${tick.routes.canaryWeight})` : '';
    return `${unit} ${tick.step} of ${plan.steps}${detail}`;
  }
  switch (tick.action) {
    case 'start':
      return `starting: the first ${unit} comes at the next tick`;
    case 'switch':
    case 'promote':
      return canary.status?.phase === 'WaitingPromotion'
        ? 'analysis done: waiting for confirm-promotion'
        : 'analysis done: the primary is being updated';
    default:
      return 'promotion: traffic goes back to the primary';
  }
}

/** The canary's events, newest last. */
async function recentEvents(client: KubeClient, canary: Canary, limit: number): Promise<EventLine[]> {
  if (limit === 0) return [];
  const name = canary.metadata.name ?? '';
  const list = await client.list<CoreEvent>('v1', 'Event', {
    namespace: canary.metadata.namespace ?? 'default',
    fieldSelector: `involvedObject.kind=Canary,involvedObject.name=${name}`,
  });
  const uid = canary.metadata.uid;
  const when = (e: CoreEvent) =>
    e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
  return list.items
    .filter(e => uid === undefined || e.involvedObject.uid === undefined || e.involvedObject.uid === uid)
    .sort(
      (a, b) =>
        when(a).localeCompare(when(b)) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    )
    .slice(-limit)
    .map(e => ({
      type: e.type ?? '',
      reason: e.reason ?? '',
      message: e.message ?? '',
      count: e.count ?? 1,
      lastSeen: when(e),
    }));
}

interface Wanted {
  apiVersion: string;
  kind: string;
  name: string;
  role: string;
}

/** The objects the controller makes for the canary (and its target), each looked up. */
async function generatedObjects(client: KubeClient, canary: Canary): Promise<GeneratedObject[]> {
  const { targetRef, autoscalerRef } = canary.spec;
  const namespace = canary.metadata.namespace ?? 'default';
  const knative = targetRef.apiVersion.startsWith('serving.knative.dev/');
  const wanted: Wanted[] = [{ ...targetRef, role: 'target' }];
  if (!knative) {
    wanted.push({ ...targetRef, name: `${targetRef.name}-primary`, role: 'primary' });
    const services = serviceNames(canary.spec);
    wanted.push(
      { apiVersion: 'v1', kind: 'Service', name: services.apex, role: 'apex service' },
      { apiVersion: 'v1', kind: 'Service', name: services.primary, role: 'primary service' },
      { apiVersion: 'v1', kind: 'Service', name: services.canary, role: 'canary service' },
    );
  }
  if (autoscalerRef !== undefined) {
    wanted.push({ ...autoscalerRef, name: `${autoscalerRef.name}-primary`, role: 'primary autoscaler' });
  }
  const unique = wanted.filter((w, i) => wanted.findIndex(o => o.kind === w.kind && o.name === w.name) === i);
  return Promise.all(
    unique.map(async w => {
      let object: KubeObject | undefined;
      let state: string;
      try {
        object = await client.tryGet<KubeObject>({ ...w, namespace });
        state = object === undefined ? 'not found' : stateOf(object);
      } catch (err) {
        state = `cannot read: ${(err as Error).message}`;
      }
      return { kind: w.kind, name: w.name, role: w.role, exists: object !== undefined, state };
    }),
  );
}

/** A short state of a generated object: ready replicas, selector, autoscaling range. */
export function stateOf(object: KubeObject): string {
  const describeKind: Record<string, (o: KubeObject) => string> = {
    Deployment: o => {
      const { spec, status } = o as Deployment;
      return `${status?.readyReplicas ?? 0}/${spec?.replicas ?? 1} ready`;
    },
    DaemonSet: o => {
      const { status } = o as DaemonSet;
      return `${status?.numberReady ?? 0}/${status?.desiredNumberScheduled ?? 0} ready`;
    },
    Service: o => {
      const pairs = Object.entries((o as Service).spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`);
      return pairs.length === 0 ? 'no selector' : `selector ${pairs.join(',')}`;
    },
    HorizontalPodAutoscaler: o => {
      const { spec } = o as HorizontalPodAutoscaler;
      return `replicas ${spec.minReplicas ?? 1}-${spec.maxReplicas}`;
    },
  };
  return describeKind[object.kind ?? '']?.(object) ?? 'exists';
}

interface RenderOptions {
  colors: Palette;
  width: number;
  now: number;
}

/** A metric in short: "request-success-rate (min 99, 1m)". */
export function metricSummary(metric: CanaryMetric): string {
  const parts = [
    ...(metric.templateRef !== undefined
      ? [
          `template ${metric.templateRef.namespace ? `${metric.templateRef.namespace}/` : ''}${metric.templateRef.name}`,
        ]
      : []),
    ...(metric.thresholdRange?.min !== undefined ? [`min ${metric.thresholdRange.min}`] : []),
    ...(metric.thresholdRange?.max !== undefined ? [`max ${metric.thresholdRange.max}`] : []),
    ...(metric.interval !== undefined ? [metric.interval] : []),
  ];
  return parts.length === 0 ? metric.name : `${metric.name} (${parts.join(', ')})`;
}

/** The accepted range of a check: "≥ 99", "≤ 500", "90 – 110". */
export function rangeText(check: Pick<CanaryMetricCheck, 'min' | 'max'>): string {
  if (check.min !== undefined && check.max !== undefined) return `${check.min} – ${check.max}`;
  if (check.min !== undefined) return `≥ ${check.min}`;
  if (check.max !== undefined) return `≤ ${check.max}`;
  return '-';
}

const CHECK_COLUMNS: Column[] = [
  { header: 'AGE', align: 'right' },
  { header: 'METRIC', shrink: 'truncate' },
  { header: 'PROVIDER' },
  { header: 'VERDICT' },
  { header: 'VALUE', align: 'right' },
  { header: 'RANGE' },
  { header: 'MESSAGE', shrink: 'wrap' },
];

const CONDITION_COLUMNS: Column[] = [
  { header: 'TYPE' },
  { header: 'STATUS' },
  { header: 'REASON' },
  { header: 'MESSAGE', shrink: 'wrap' },
  { header: 'CHANGED', align: 'right' },
];

const EVENT_COLUMNS: Column[] = [
  { header: 'LAST SEEN', align: 'right' },
  { header: 'TYPE' },
  { header: 'REASON' },
  { header: 'MESSAGE', shrink: 'wrap' },
];

const OBJECT_COLUMNS: Column[] = [
  { header: 'KIND' },
  { header: 'NAME', shrink: 'truncate' },
  { header: 'ROLE' },
  { header: 'EXISTS' },
  { header: 'STATE', shrink: 'wrap' },
];

/** Label: value lines, the values aligned. */
function fields(pairs: [string, string | undefined][]): string[] {
  const shown = pairs.filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '');
  const width = Math.max(...shown.map(([label]) => label.length)) + 2;
  return shown.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`);
}

function spec(d: Description): string[] {
  const { canary, plan } = d;
  const { analysis } = canary.spec;
  const steps = stepLabels(plan);
  return fields([
    ['Name', d.name],
    ['Namespace', d.namespace],
    ['Target', `${canary.spec.targetRef.kind}/${canary.spec.targetRef.name}`],
    [
      'Provider',
      canary.spec.provider ?? `${plan.provider} (assumed: spec.provider is not set; see --mesh-provider)`,
    ],
    ['Strategy', strategyText(plan)],
    ['Steps', plan.skipAnalysis ? 'none (skipAnalysis)' : `${steps.join(' → ')} → promotion`],
    ['Interval', formatSpan(plan.intervalMs)],
    ['Threshold', `${plan.threshold} failed checks`],
    ['Progress deadline', `${plan.progressDeadlineSeconds}s`],
    ['Metrics', (analysis.metrics ?? []).map(metricSummary).join(', ') || 'none'],
    [
      'Webhooks',
      (analysis.webhooks ?? []).map(h => `${h.name} (${h.type || 'rollout'})`).join(', ') || 'none',
    ],
    [
      'Requests',
      Object.entries(d.requests)
        .map(([k, v]) => `${k}: "${v}"`)
        .join(', '),
    ],
    ['Suspended', canary.spec.suspend === true ? 'yes (spec.suspend)' : undefined],
  ]);
}

function revisionText(status: Canary['status']): string | undefined {
  const applied = status?.lastAppliedSpec;
  if (applied === undefined) return undefined;
  if (applied === status?.lastPromotedSpec) return `${applied} (promoted)`;
  return `${applied} (last promoted: ${status?.lastPromotedSpec ?? 'none'})`;
}

function statusLines(d: Description, options: RenderOptions): string[] {
  const { colors, now } = options;
  const {
    phase = '',
    canaryWeight = 0,
    failedChecks = 0,
    iterations = 0,
    lastTransitionTime,
  } = d.canary.status ?? {};
  const shown = phase || 'not initialized';
  const paused = d.requests[PAUSE_ANNOTATION] === 'true' ? colors.magenta(' (paused)') : '';
  const since =
    lastTransitionTime === undefined
      ? ''
      : ` since ${lastTransitionTime} (${formatAge(lastTransitionTime, now)} ago)`;
  return fields([
    ['Phase', `${phasePaint(colors, shown)(shown)}${paused}${since}`],
    ['Traffic', `primary ${100 - canaryWeight}%, canary ${canaryWeight}%`],
    ['Current step', d.current],
    ['Failed checks', `${failedChecks} of ${d.plan.threshold}`],
    ['Iterations', d.plan.strategy === 'canary' ? undefined : `${iterations} of ${d.plan.iterations ?? 0}`],
    ['Revision', revisionText(d.canary.status)],
  ]);
}

function section(title: string, colors: Palette, body: string[]): string[] {
  return ['', colors.bold(title), ...body.map(line => `  ${line}`)];
}

/** The description as text. */
export function renderDescription(d: Description, options: RenderOptions): string[] {
  const { colors, now } = options;
  const table = (columns: Column[], rows: Cell[][]) =>
    formatTable(columns, rows, { maxWidth: options.width - 2, paintHeader: colors.bold });
  const conditions = d.conditions.map(c =>
    'meaning' in c
      ? [
          c.type,
          { text: '-', paint: colors.dim },
          '',
          { text: `(absent: ${c.meaning})`, paint: colors.dim },
          '',
        ]
      : [
          c.type,
          {
            text: c.status,
            paint: c.status === 'True' ? colors.green : c.status === 'False' ? colors.red : colors.yellow,
          },
          c.reason,
          c.message ?? '',
          formatAge(c.lastTransitionTime, now),
        ],
  );
  const checks = d.metricChecks.map(c => [
    formatAge(c.time, now),
    c.metric,
    c.provider,
    { text: c.verdict, paint: verdictPaint(colors, c.verdict) },
    c.value === undefined ? '-' : String(c.value),
    rangeText(c) + (c.baseline === undefined ? '' : ` (primary ${c.baseline})`),
    c.message ?? '',
  ]);
  const events = d.events.map(e => [
    formatAge(e.lastSeen, now),
    { text: e.type, paint: e.type === 'Warning' ? colors.yellow : (text: string) => text },
    e.reason,
    e.count > 1 ? `${e.message} (×${e.count})` : e.message,
  ]);
  const objects = d.objects.map(o => [
    o.kind,
    o.name,
    o.role,
    { text: o.exists ? 'yes' : 'no', paint: o.exists ? colors.green : colors.red },
    o.state,
  ]);
  return [
    ...spec(d),
    '',
    ...statusLines(d, options),
    ...section('Conditions:', colors, table(CONDITION_COLUMNS, conditions)),
    ...section(
      'Decision record (status.metricChecks, newest last):',
      colors,
      checks.length === 0 ? ['no metric checks in this run'] : table(CHECK_COLUMNS, checks),
    ),
    ...section(
      'Events (newest last):',
      colors,
      events.length === 0 ? ['none'] : table(EVENT_COLUMNS, events),
    ),
    ...section('Generated objects:', colors, table(OBJECT_COLUMNS, objects)),
  ];
}
