// Query templates: the subset of Go text/template that Flagger's metric queries use. Flagger renders queries with
// functions named after the model fields ({{ namespace }}, {{ target }}, {{ variables.key }}, ...) and the option
// missingkey=error, so a missing variable is an error rather than "<no value>". Supported: function actions with
// optional .field chains, the trim markers {{- and -}}, and comments {{/* */}}. Errors read like Go's, wrapped the
// way Flagger's RenderQuery wraps them (including its "excution" typo), because they end up in event messages.
import type { CanaryMetric } from '../api/canary-analysis.ts';
import type { Canary } from '../api/canary.ts';
import { metricInterval, serviceNames } from '../api/defaults.ts';

/** The values a query template can read: Flagger's MetricTemplateModel. */
export interface QueryModel {
  name: string;
  namespace: string;
  target: string;
  service: string;
  ingress: string;
  route: string;
  interval: string;
  variables: Readonly<Record<string, string>>;
}

/**
 * The model of one metric of a canary. The interval defaults to 1m for every kind of metric (quirk Q10 fixed, see
 * metricInterval).
 */
export function queryModel(
  canary: Canary,
  metric: Pick<CanaryMetric, 'interval' | 'templateVariables'>,
): QueryModel {
  const { spec } = canary;
  const target = spec.targetRef.name;
  return {
    name: canary.metadata.name ?? '',
    namespace: canary.metadata.namespace ?? '',
    target,
    service: serviceNames(spec).apex,
    ingress: spec.ingressRef?.name ?? target,
    route: spec.routeRef?.name ?? target,
    interval: metricInterval(metric),
    variables: metric.templateVariables ?? {},
  };
}

const TEMPLATE_NAME = 'tmpl';
const FUNCTIONS = new Set<string>([
  'name',
  'namespace',
  'target',
  'service',
  'ingress',
  'route',
  'interval',
  'variables',
] satisfies (keyof QueryModel)[]);

type ModelKey = keyof QueryModel;
type Value = string | Readonly<Record<string, string>>;

interface Action {
  fn: ModelKey;
  fields: string[];
  /** Position of the first .field, which Go reports in execution errors. */
  fieldsAt: number;
}
type Node = string | Action;

/** Renders a query template; throws an Error whose message names what is wrong (e.g. the missing variable). */
export function renderQuery(template: string, model: QueryModel): string {
  let nodes: Node[];
  try {
    nodes = parse(template);
  } catch (err) {
    throw new Error(`template parsing failed: ${(err as Error).message}`, { cause: err });
  }
  try {
    return nodes.map(node => (typeof node === 'string' ? node : evaluate(node, model, template))).join('');
  } catch (err) {
    throw new Error(`template excution failed: ${(err as Error).message}`, { cause: err });
  }
}

const SPACE = /[ \t\r\n]/;
const ACTION = /^[ \t\r\n]*([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)[ \t\r\n]*$/;

function parse(src: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  let trimNext = false;
  for (;;) {
    const open = src.indexOf('{{', pos);
    let text = src.slice(pos, open === -1 ? undefined : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open === -1) {
      nodes.push(text);
      return nodes;
    }
    let start = open + 2;
    // Like Go, "{{-" is a trim marker only when a space follows (so "{{-3}}" would be a number).
    if (src[start] === '-' && SPACE.test(src[start + 1] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 2;
    }
    nodes.push(text);
    const commentEnd = src.startsWith('/*', start) ? src.indexOf('*/', start + 2) : start;
    const close = commentEnd === -1 ? -1 : src.indexOf('}}', commentEnd);
    if (close === -1) throw parseError(src, open, 'unclosed action');
    let inner = src.slice(start, close);
    trimNext = /[ \t\r\n]-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -2);
    if (!(inner.startsWith('/*') && inner.endsWith('*/'))) nodes.push(parseAction(src, start, inner));
    pos = close + 2;
  }
}

function parseAction(src: string, start: number, inner: string): Action {
  if (inner.trim() === '') throw parseError(src, start, 'missing value for command');
  const match = ACTION.exec(inner);
  const fn = match?.[1];
  if (match === null || fn === undefined) {
    throw parseError(src, start, `unsupported action "{{${inner}}}": use {{ name }} or {{ variables.key }}`);
  }
  if (!FUNCTIONS.has(fn)) throw parseError(src, start, `function "${fn}" not defined`);
  const chain = match[2] ?? '';
  return {
    fn: fn as ModelKey,
    fields: chain.split('.').slice(1),
    fieldsAt: start + inner.indexOf(chain, inner.indexOf(fn) + fn.length),
  };
}

function evaluate(action: Action, model: QueryModel, src: string): string {
  let value: Value = model[action.fn];
  for (const field of action.fields) {
    const fail = (problem: string): Error => {
      const [line, column] = lineAndColumn(src, action.fieldsAt);
      const context = [action.fn, ...action.fields].join('.');
      return new Error(
        `template: ${TEMPLATE_NAME}:${line}:${column}: executing "${TEMPLATE_NAME}" at <${context}>: ${problem}`,
      );
    };
    if (typeof value === 'string') throw fail(`can't evaluate field ${field} in type string`);
    if (!Object.hasOwn(value, field)) throw fail(`map has no entry for key "${field}"`);
    value = value[field] ?? '';
  }
  return typeof value === 'string' ? value : printMap(value);
}

/** Go prints a map[string]string as map[k1:v1 k2:v2], keys sorted. */
function printMap(map: Readonly<Record<string, string>>): string {
  const entries = Object.keys(map)
    .sort()
    .map(key => `${key}:${map[key] ?? ''}`);
  return `map[${entries.join(' ')}]`;
}

function parseError(src: string, offset: number, problem: string): Error {
  return new Error(`template: ${TEMPLATE_NAME}:${lineAndColumn(src, offset)[0]}: ${problem}`);
}

/** 1-based line and 0-based byte column of an offset, as Go's template errors give them. */
function lineAndColumn(src: string, offset: number): [number, number] {
  const before = src.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return [before.split('\n').length, Buffer.byteLength(before.slice(lineStart))];
}
