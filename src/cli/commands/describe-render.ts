// How `flagger describe` shows one canary as text: its spec in short, where its release is, the decision record,
// conditions, events and generated objects, section by section.
import type { Canary, CanaryMetric, CanaryMetricCheck } from '../../api/canary.ts';
import { PAUSE_ANNOTATION } from '../../scheduler/extensions.ts';
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
import type { Description } from './describe.ts';
import { stepLabels } from './timeline.ts';

export interface RenderOptions {
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

/**
 * A statistical comparison's evidence: method and test, requests on each side (canary/primary), the effect with
 * its interval, and the p-value; '' for other checks.
 */
export function comparisonText(check: CanaryMetricCheck): string {
  if (check.method === undefined) return '';
  const short = (n: number): string => String(Number(n.toPrecision(3)));
  const { test, canarySamples, primarySamples, effect, effectInterval: range, pValue } = check;
  return [
    `; ${check.method}${test === undefined ? '' : ` (${test})`}`,
    ...(canarySamples !== undefined && primarySamples !== undefined
      ? [` n ${String(canarySamples)}/${String(primarySamples)}`]
      : []),
    ...(effect !== undefined ? [`, effect ${short(effect)}`] : []),
    ...(range?.length === 2 ? [` [${range.map(short).join(', ')}]`] : []),
    ...(pValue !== undefined ? [`, p ${short(pValue)}`] : []),
  ].join('');
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
    rangeText(c) + (c.baseline === undefined ? '' : ` (primary ${c.baseline})`) + comparisonText(c),
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
