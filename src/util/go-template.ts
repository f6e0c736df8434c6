// The subset of Go's text/template that Flagger's templates use: function actions named after the model's fields
// with optional .field chains into maps ({{ namespace }}, {{ variables.key }}), the trim markers {{- and -}}, and
// comments {{/* */}}. A missing key is an error (Go's missingkey=error). Errors read like Go's, because they end up
// in events and logs that users compare with Flagger's.

/** A template dialect: its name in error messages, its functions, and the hint for an unsupported action. */
export interface TemplateDialect {
  name: string;
  functions: ReadonlySet<string>;
  /** E.g. "use {{ name }} or {{ variables.key }}". */
  hint: string;
}

export type TemplateValue = string | Readonly<Record<string, string>>;

interface Action {
  fn: string;
  fields: string[];
  /** Position of the first .field, which Go reports in execution errors. */
  fieldsAt: number;
}

/** A parsed template: text and actions. */
export interface ParsedTemplate {
  src: string;
  nodes: (string | Action)[];
}

const SPACE = /[ \t\r\n]/;
const ACTION = /^[ \t\r\n]*([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)[ \t\r\n]*$/;

/** Parses a template; throws Go's parse error, e.g. `template: tmpl:1: function "x" not defined`. */
export function parseTemplate(src: string, dialect: TemplateDialect): ParsedTemplate {
  const nodes: ParsedTemplate['nodes'] = [];
  let pos = 0;
  let trimNext = false;
  for (;;) {
    const open = src.indexOf('{{', pos);
    let text = src.slice(pos, open === -1 ? undefined : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open === -1) {
      nodes.push(text);
      return { src, nodes };
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
    if (close === -1) throw parseError(src, open, 'unclosed action', dialect);
    let inner = src.slice(start, close);
    trimNext = /[ \t\r\n]-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -2);
    if (!(inner.startsWith('/*') && inner.endsWith('*/')))
      nodes.push(parseAction(src, start, inner, dialect));
    pos = close + 2;
  }
}

function parseAction(src: string, start: number, inner: string, dialect: TemplateDialect): Action {
  if (inner.trim() === '') throw parseError(src, start, 'missing value for command', dialect);
  const match = ACTION.exec(inner);
  const fn = match?.[1];
  if (match === null || fn === undefined) {
    throw parseError(src, start, `unsupported action "{{${inner}}}": ${dialect.hint}`, dialect);
  }
  if (!dialect.functions.has(fn)) throw parseError(src, start, `function "${fn}" not defined`, dialect);
  const chain = match[2] ?? '';
  return {
    fn,
    fields: chain.split('.').slice(1),
    fieldsAt: start + inner.indexOf(chain, inner.indexOf(fn) + fn.length),
  };
}

/** Executes a parsed template; throws Go's execution error for a missing key. */
export function executeTemplate(
  template: ParsedTemplate,
  model: Readonly<Record<string, TemplateValue>>,
  dialect: TemplateDialect,
): string {
  return template.nodes
    .map(node => (typeof node === 'string' ? node : evaluate(node, model, template.src, dialect)))
    .join('');
}

function evaluate(
  action: Action,
  model: Readonly<Record<string, TemplateValue>>,
  src: string,
  dialect: TemplateDialect,
): string {
  let value: TemplateValue = model[action.fn] ?? '';
  for (const field of action.fields) {
    const fail = (problem: string): Error => {
      const [line, column] = lineAndColumn(src, action.fieldsAt);
      const context = [action.fn, ...action.fields].join('.');
      return new Error(
        `template: ${dialect.name}:${line}:${column}: executing "${dialect.name}" at <${context}>: ${problem}`,
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

function parseError(src: string, offset: number, problem: string, dialect: TemplateDialect): Error {
  return new Error(`template: ${dialect.name}:${lineAndColumn(src, offset)[0]}: ${problem}`);
}

/** 1-based line and 0-based byte column of an offset, as Go's template errors give them. */
function lineAndColumn(src: string, offset: number): [number, number] {
  const before = src.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return [before.split('\n').length, Buffer.byteLength(before.slice(lineStart))];
}
