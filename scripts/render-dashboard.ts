// Renders the Grafana dashboard deploy/grafana/canary-analysis.json without Grafana, for review: resolves its
// template variables and runs every panel's queries as range queries against a Prometheus, as Grafana would,
// then lays the panels out by their gridPos in an HTML page (inline SVG charts, stat values, state timelines)
// and screenshots it with headless Chromium.
//
//   node scripts/render-dashboard.ts --prometheus http://127.0.0.1:9090 --from now-30m --to now \
//     [--namespace test] [--target podinfo] [--scrape-interval 15s] [--out docs/img/grafana-dashboard.png]
//
// The query half (variables, interpolation, range queries) is exported for the dashboard's test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Dashboard, GridPos, Panel, RowPanel, VariableModel } from '@grafana/schema';
import { fetch } from 'undici';

export const DASHBOARD_FILE = new URL('../deploy/grafana/canary-analysis.json', import.meta.url);

export function loadDashboard(file: URL | string = DASHBOARD_FILE): Dashboard {
  return JSON.parse(readFileSync(file, 'utf8')) as Dashboard;
}

// ---- Dashboard model -------------------------------------------------------------------------------------

export interface PromTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
}

export function isRow(panel: Panel | RowPanel): panel is RowPanel {
  return panel.type === 'row';
}

/** Every panel that queries (rows' nested panels included), in layout order. */
export function queryPanels(dashboard: Dashboard): Panel[] {
  const panels: Panel[] = [];
  for (const panel of dashboard.panels ?? []) {
    if (isRow(panel)) panels.push(...panel.panels);
    else panels.push(panel);
  }
  return panels.sort((a, b) => pos(a).y - pos(b).y || pos(a).x - pos(b).x);
}

export function pos(panel: Panel | RowPanel): GridPos {
  return panel.gridPos ?? { x: 0, y: 0, w: 24, h: 8 };
}

export function promTargets(panel: Panel): PromTarget[] {
  return (panel.targets ?? []).map(target => ({
    refId: String(target.refId),
    expr: String(target.expr),
    ...(typeof target.legendFormat === 'string' ? { legendFormat: target.legendFormat } : {}),
  }));
}

export function variables(dashboard: Dashboard): VariableModel[] {
  return dashboard.templating?.list ?? [];
}

// ---- Interpolation, as Grafana's Prometheus data source does it --------------------------------------------

/** Selected values by variable name: one value, or several (a multi-value variable, "All" included). */
export type Selection = Record<string, string | string[]>;

export interface Intervals {
  /** $__interval: the step of the range queries, in seconds. */
  stepSeconds: number;
  /** The data source's scrape interval, in seconds. */
  scrapeSeconds: number;
}

/** Grafana's $__rate_interval: max($__interval + scrape interval, 4 * scrape interval). */
export function rateInterval({ stepSeconds, scrapeSeconds }: Intervals): string {
  return `${String(Math.max(stepSeconds + scrapeSeconds, 4 * scrapeSeconds))}s`;
}

const regexSpecial = /[\\^$*+?.()|{}[\]]/g;

function formatValue(value: string | string[], variable: VariableModel | undefined): string {
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  // Values of multi-value variables go into regex matchers: escaped, several as a group.
  if (variable?.multi !== true && variable?.includeAll !== true) return escape(String(value));
  const values = (Array.isArray(value) ? value : [value]).map(v => escape(v.replace(regexSpecial, '\\$&')));
  return values.length === 1 ? (values[0] ?? '') : `(${values.join('|')})`;
}

/** Substitutes $name, ${name} and Grafana's $__interval / $__rate_interval in a query. */
export function interpolate(
  expr: string,
  selection: Selection,
  dashboard: Dashboard,
  intervals: Intervals,
): string {
  const builtins: Record<string, string> = {
    __interval: `${String(intervals.stepSeconds)}s`,
    __rate_interval: rateInterval(intervals),
  };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const builtin = builtins[name];
    if (builtin !== undefined) return builtin;
    const value = selection[name];
    if (value === undefined) return match;
    return formatValue(
      value,
      variables(dashboard).find(v => v.name === name),
    );
  });
}

// ---- Prometheus ------------------------------------------------------------------------------------------

export interface Range {
  /** Unix seconds. */
  start: number;
  end: number;
  stepSeconds: number;
}

export interface Series {
  labels: Record<string, string>;
  /** [unix seconds, value]; NaN and ±Inf as numbers. */
  points: [number, number][];
}

interface PromResponse {
  status: 'success' | 'error';
  error?: string;
  data?: unknown;
}

export class PrometheusClient {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/$/, '');
  }

  /** A range query; throws with Prometheus' message when the query does not parse or fails. */
  async rangeQuery(expr: string, range: Range): Promise<Series[]> {
    const data = (await this.get('/api/v1/query_range', {
      query: expr,
      start: String(range.start),
      end: String(range.end),
      step: String(range.stepSeconds),
    })) as { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
    if (data.resultType !== 'matrix') throw new Error(`unexpected result type ${data.resultType}`);
    return data.result.map(r => ({
      labels: r.metric,
      points: r.values.map(([t, v]): [number, number] => [t, Number(v)]),
    }));
  }

  async labelValues(label: string, match: string | undefined, range: Range): Promise<string[]> {
    const params: Record<string, string> = { start: String(range.start), end: String(range.end) };
    if (match !== undefined) params['match[]'] = match;
    return (await this.get(`/api/v1/label/${encodeURIComponent(label)}/values`, params)) as string[];
  }

  private async get(path: string, params: Record<string, string>): Promise<unknown> {
    const response = await fetch(`${this.url}${path}?${new URLSearchParams(params).toString()}`);
    const body = (await response.json()) as PromResponse;
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? String(response.status)}`);
    return body.data;
  }
}

// ---- Variables -------------------------------------------------------------------------------------------

/** The query of a query variable: label_values(selector, label) or label_values(label). */
export function variableQuery(variable: VariableModel): { label: string; match?: string } {
  const query = variable.query;
  const raw = typeof query === 'string' ? query : typeof query?.query === 'string' ? query.query : '';
  const parsed = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*$/.exec(raw);
  if (!parsed?.[2]) throw new Error(`variable ${variable.name}: unsupported query ${raw}`);
  return { label: parsed[2], ...(parsed[1] !== undefined ? { match: parsed[1] } : {}) };
}

/** The options of a query variable, given the values chosen for the variables before it. */
export async function variableOptions(
  client: PrometheusClient,
  dashboard: Dashboard,
  variable: VariableModel,
  selection: Selection,
  range: Range,
): Promise<string[]> {
  const { label, match } = variableQuery(variable);
  const intervals = { stepSeconds: range.stepSeconds, scrapeSeconds: range.stepSeconds };
  const selector = match === undefined ? undefined : interpolate(match, selection, dashboard, intervals);
  const values = await client.labelValues(label, selector, range);
  return [...values].sort();
}

/**
 * Resolves the query variables in order. A variable keeps the value given in `chosen`; otherwise it takes what
 * Grafana selects on a first visit: "All" (every option) when it offers it, else the first option.
 */
export async function resolveVariables(
  client: PrometheusClient,
  dashboard: Dashboard,
  range: Range,
  chosen: Selection = {},
): Promise<{ selection: Selection; options: Record<string, string[]> }> {
  const selection: Selection = {};
  const options: Record<string, string[]> = {};
  for (const variable of variables(dashboard)) {
    if (variable.type !== 'query') continue;
    const values = await variableOptions(client, dashboard, variable, selection, range);
    options[variable.name] = values;
    const pick = chosen[variable.name];
    if (pick !== undefined) selection[variable.name] = pick;
    else if (variable.includeAll === true) selection[variable.name] = values;
    else if (values[0] !== undefined) selection[variable.name] = values[0];
    else throw new Error(`variable ${variable.name}: no values`);
  }
  return { selection, options };
}

// ---- Panels ----------------------------------------------------------------------------------------------

export interface TargetResult {
  target: PromTarget;
  expr: string;
  series: (Series & { name: string })[];
}

/** Grafana's legend: {{label}} replaced by the label's value; the series' labels when there is no format. */
export function legend(format: string | undefined, labels: Record<string, string>): string {
  if (format === undefined || format === '' || format === '__auto') {
    const { __name__: name = '', ...rest } = labels;
    const pairs = Object.entries(rest).map(([k, v]) => `${k}="${v}"`);
    return `${name}{${pairs.join(', ')}}`;
  }
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, label: string) => labels[label] ?? '');
}

/** Runs each of the panel's queries as a range query. */
export async function runPanel(
  client: PrometheusClient,
  dashboard: Dashboard,
  panel: Panel,
  selection: Selection,
  range: Range & { scrapeSeconds: number },
): Promise<TargetResult[]> {
  const intervals = { stepSeconds: range.stepSeconds, scrapeSeconds: range.scrapeSeconds };
  const results: TargetResult[] = [];
  for (const target of promTargets(panel)) {
    const expr = interpolate(target.expr, selection, dashboard, intervals);
    const series = await client.rangeQuery(expr, range);
    results.push({
      target,
      expr,
      series: series.map(s => ({ ...s, name: legend(target.legendFormat, s.labels) })),
    });
  }
  return results;
}

// ---- HTML ------------------------------------------------------------------------------------------------

const COLUMN_PX = 66;
const ROW_PX = 30;
const GAP_PX = 8;
const HEADER_PX = 64;

/** Grafana's dark theme colors for the names dashboards use. */
const NAMED_COLORS: Record<string, string> = {
  text: '#ccccdc',
  green: '#73BF69',
  red: '#F2495C',
  blue: '#5794F2',
  orange: '#FF9830',
  yellow: '#FADE2A',
  purple: '#B877D9',
};
const PALETTE = ['#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0'];

function color(name: string | undefined, fallback = NAMED_COLORS.text ?? '#ccc'): string {
  if (name === undefined) return fallback;
  return NAMED_COLORS[name] ?? name;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function formatNumber(value: number, decimals: number | undefined): string {
  if (!Number.isFinite(value)) return String(value);
  const auto = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value
    .toFixed(decimals ?? auto)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

/** Grafana's unit formats for the units the dashboard uses. */
export function formatUnit(value: number, unit: string | undefined, decimals?: number): string {
  switch (unit) {
    case 'percent':
      return `${formatNumber(value, decimals)}%`;
    case 's':
      return Math.abs(value) < 1 && value !== 0
        ? `${formatNumber(value * 1000, decimals)} ms`
        : `${formatNumber(value, decimals)} s`;
    case 'ms':
      return Math.abs(value) >= 1000
        ? `${formatNumber(value / 1000, decimals)} s`
        : `${formatNumber(value, decimals)} ms`;
    case 'reqps':
      return `${formatNumber(value, decimals)} req/s`;
    default:
      return formatNumber(value, decimals);
  }
}

interface ValueMapping {
  type: string;
  options: Record<string, { text?: string; color?: string }>;
}

interface FieldDefaults {
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  mappings?: ValueMapping[];
  thresholds?: { steps: { color: string; value: number | null }[] };
  custom?: { lineInterpolation?: string; fillOpacity?: number; showPoints?: string };
}

interface Override {
  matcher: { id: string; options?: unknown };
  properties: { id: string; value?: unknown }[];
}

function defaults(panel: Panel): FieldDefaults {
  return (panel.fieldConfig?.defaults ?? {}) as FieldDefaults;
}

/** The mapped text and color of a value, else its formatted value and threshold color. */
function display(value: number, fields: FieldDefaults): { text: string; color: string } {
  for (const mapping of fields.mappings ?? []) {
    const hit = mapping.type === 'value' ? mapping.options[String(value)] : undefined;
    if (hit) return { text: hit.text ?? String(value), color: color(hit.color) };
  }
  let step = 'text';
  for (const s of fields.thresholds?.steps ?? []) if (s.value === null || value >= s.value) step = s.color;
  return { text: formatUnit(value, fields.unit, fields.decimals), color: color(step) };
}

interface Drawn {
  name: string;
  refId: string;
  points: [number, number][];
  color: string;
  rightAxis: boolean;
  unit?: string;
}

function overridesFor(panel: Panel, name: string, refId: string): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const override of (panel.fieldConfig?.overrides ?? []) as Override[]) {
    const { id, options } = override.matcher;
    const matches =
      (id === 'byFrameRefID' && options === refId) ||
      (id === 'byName' && options === name) ||
      (id === 'byRegexp' && typeof options === 'string' && new RegExp(`^${options}$`).test(name));
    if (matches) for (const p of override.properties) props[p.id] = p.value;
  }
  return props;
}

function drawnSeries(panel: Panel, results: TargetResult[]): Drawn[] {
  const drawn: Drawn[] = [];
  for (const result of results) {
    for (const s of result.series) {
      const props = overridesFor(panel, s.name, result.target.refId);
      const fixed = (props.color as { fixedColor?: string } | undefined)?.fixedColor;
      drawn.push({
        name: s.name,
        refId: result.target.refId,
        points: s.points.filter(([, v]) => Number.isFinite(v)),
        color: fixed !== undefined ? color(fixed) : (PALETTE[drawn.length % PALETTE.length] ?? '#ccc'),
        rightAxis: props['custom.axisPlacement'] === 'right',
        ...(typeof props.unit === 'string' ? { unit: props.unit } : {}),
      });
    }
  }
  return drawn;
}

function lastValue(points: [number, number][]): number | undefined {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]?.[1];
    if (v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

interface Box {
  width: number;
  height: number;
}

interface Scale {
  min: number;
  max: number;
  ticks: number[];
}

/** A step of 1, 2, 2.5 or 5 times a power of ten that cuts span into about `count` parts. */
function niceStep(span: number, count: number, decimals: number | undefined): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find(m => m * power >= raw) ?? 10) * power;
  return decimals === 0 ? Math.max(1, Math.round(step)) : step;
}

/** The axis of the values: the field's min and max where set, else the data's range rounded to ticks. */
function scaleOf(values: number[], fields: FieldDefaults): Scale {
  const dataMin = values.length > 0 ? Math.min(...values) : 0;
  const dataMax = values.length > 0 ? Math.max(...values) : 1;
  let low = fields.min ?? dataMin;
  let high = fields.max ?? dataMax;
  if (high <= low) {
    high = low + Math.max(Math.abs(low) * 0.1, 1);
    if (fields.min === undefined) low = Math.max(0, low - (high - low));
  }
  const step = niceStep(high - low, 4, fields.decimals);
  const min = fields.min ?? Math.floor(low / step) * step;
  const max = fields.max ?? Math.ceil(high / step) * step;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step / 1e6; v += step) ticks.push(v);
  return { min, max: max > min ? max : min + step, ticks };
}

function timeLabel(t: number): string {
  return new Date(t * 1000).toISOString().slice(11, 19);
}

function xAxis(range: Range, box: Box, x: (t: number) => number): string {
  const ticks = 5;
  const parts: string[] = [];
  for (let i = 0; i <= ticks; i++) {
    const t = range.start + ((range.end - range.start) * i) / ticks;
    const anchor = i === 0 ? 'start' : i === ticks ? 'end' : 'middle';
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${box.height - 2}" text-anchor="${anchor}" class="tick">${timeLabel(t)}</text>`,
    );
  }
  return parts.join('');
}

/** Runs of points without a gap longer than maxGap seconds. */
function segments(points: [number, number][], maxGap: number): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  for (const point of points) {
    const previous = run[run.length - 1];
    if (previous !== undefined && point[0] - previous[0] > maxGap) {
      runs.push(run);
      run = [];
    }
    run.push(point);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function path(run: [number, number][], stepAfter: boolean, xy: (p: [number, number]) => string): string {
  let d = '';
  let previous: [number, number] | undefined;
  for (const point of run) {
    if (previous === undefined) d += `M${xy(point)}`;
    else if (stepAfter) d += `L${xy([point[0], previous[1]])}L${xy(point)}`;
    else d += `L${xy(point)}`;
    previous = point;
  }
  return d;
}

const PLOT = { left: 58, right: 58, top: 6, bottom: 18 };

function axisTicks(scale: Scale, unit: string | undefined, decimals: number | undefined): string[] {
  const step = (scale.ticks[1] ?? scale.max) - (scale.ticks[0] ?? scale.min);
  // Enough decimals to tell ticks apart.
  const places = decimals ?? Math.max(0, -Math.floor(Math.log10(step > 0 ? step : 1) + 1e-9));
  return scale.ticks.map(v => formatUnit(v, unit, unit === 's' || unit === 'ms' ? undefined : places));
}

interface Plot {
  x: (t: number) => number;
  y: (v: number, s: Scale) => number;
  left: Scale;
  right: Scale;
  width: number;
}

function axes(plot: Plot, fields: FieldDefaults, rightUnit: string | undefined): string[] {
  const parts: string[] = [];
  const leftLabels = axisTicks(plot.left, fields.unit, fields.decimals);
  plot.left.ticks.forEach((v, i) => {
    const yy = plot.y(v, plot.left).toFixed(1);
    parts.push(`<line x1="${PLOT.left}" x2="${PLOT.left + plot.width}" y1="${yy}" y2="${yy}" class="grid"/>`);
    parts.push(
      `<text x="${PLOT.left - 6}" y="${yy}" text-anchor="end" dy="4" class="tick">${escapeHtml(leftLabels[i] ?? '')}</text>`,
    );
  });
  if (rightUnit === undefined) return parts;
  const rightLabels = axisTicks(plot.right, rightUnit, undefined);
  plot.right.ticks.forEach((v, i) => {
    const yy = plot.y(v, plot.right).toFixed(1);
    parts.push(
      `<text x="${PLOT.left + plot.width + 6}" y="${yy}" dy="4" class="tick">${escapeHtml(rightLabels[i] ?? '')}</text>`,
    );
  });
  return parts;
}

/** A series as Grafana draws it: lines between consecutive samples, a dot for a lone one, filled below. */
function seriesSvg(d: Drawn, plot: Plot, fields: FieldDefaults, range: Range): string[] {
  const parts: string[] = [];
  const scale = d.rightAxis ? plot.right : plot.left;
  const at = ([t, v]: [number, number]) => [plot.x(t).toFixed(1), plot.y(v, scale).toFixed(1)] as const;
  const xy = (p: [number, number]) => at(p).join(',');
  const dot = (p: [number, number]) => `<circle cx="${at(p)[0]}" cy="${at(p)[1]}" r="3" fill="${d.color}"/>`;
  const base = plot.y(Math.min(Math.max(0, scale.min), scale.max), scale).toFixed(1);
  const stepAfter = fields.custom?.lineInterpolation === 'stepAfter';
  const fill = (fields.custom?.fillOpacity ?? 0) / 100;
  for (const run of segments(d.points, range.stepSeconds * 3)) {
    const first = run[0];
    const last = run[run.length - 1];
    if (first === undefined || last === undefined) continue;
    if (run.length === 1 || fields.custom?.showPoints === 'always') parts.push(...run.map(dot));
    if (run.length === 1) continue;
    const line = path(run, stepAfter, xy);
    if (fill > 0) {
      const area = `${line}L${plot.x(last[0]).toFixed(1)},${base}L${plot.x(first[0]).toFixed(1)},${base}Z`;
      parts.push(`<path d="${area}" fill="${d.color}" fill-opacity="${fill}" stroke="none"/>`);
    }
    parts.push(`<path d="${line}" fill="none" stroke="${d.color}" stroke-width="2"/>`);
  }
  return parts;
}

function timeseriesSvg(panel: Panel, drawn: Drawn[], range: Range, box: Box): string {
  const fields = defaults(panel);
  const right = drawn.filter(d => d.rightAxis);
  const rightUnit = right.length > 0 ? (right[0]?.unit ?? fields.unit ?? 'none') : undefined;
  const values = (list: Drawn[]) => list.flatMap(d => d.points.map(p => p[1]));
  const width = box.width - PLOT.left - (rightUnit !== undefined ? PLOT.right : 12);
  const height = box.height - PLOT.top - PLOT.bottom;
  const plot: Plot = {
    x: t => PLOT.left + ((t - range.start) / (range.end - range.start)) * width,
    y: (v, s) => PLOT.top + height - ((v - s.min) / (s.max - s.min)) * height,
    left: scaleOf(values(drawn.filter(d => !d.rightAxis)), fields),
    right: scaleOf(values(right), rightUnit !== undefined ? { unit: rightUnit } : {}),
    width,
  };
  const parts = [...axes(plot, fields, rightUnit), xAxis(range, box, plot.x)];
  for (const d of drawn) parts.push(...seriesSvg(d, plot, fields, range));
  return `<svg width="${box.width}" height="${box.height}">${parts.join('')}</svg>`;
}

function legendHtml(panel: Panel, drawn: Drawn[]): string {
  const options = (panel.options ?? {}) as {
    legend?: { displayMode?: string; calcs?: string[]; showLegend?: boolean };
  };
  if (options.legend?.showLegend === false) return '';
  const unit = (d: Drawn) => d.unit ?? defaults(panel).unit;
  const swatch = (d: Drawn) =>
    `<span class="swatch" style="background:${d.color}"></span>${escapeHtml(d.name)}`;
  if (options.legend?.displayMode === 'table') {
    const calcs = options.legend.calcs ?? [];
    const calc = (d: Drawn, c: string) => {
      const values = d.points.map(p => p[1]);
      const v = c === 'min' ? Math.min(...values) : c === 'max' ? Math.max(...values) : lastValue(d.points);
      return v === undefined || values.length === 0 ? '-' : formatUnit(v, unit(d));
    };
    const head = calcs.map(
      c => `<th>${c === 'lastNotNull' ? 'Last *' : c.charAt(0).toUpperCase() + c.slice(1)}</th>`,
    );
    const rows = drawn.map(
      d => `<tr><td>${swatch(d)}</td>${calcs.map(c => `<td>${escapeHtml(calc(d, c))}</td>`).join('')}</tr>`,
    );
    return `<table class="legend"><tr><th></th>${head.join('')}</tr>${rows.join('')}</table>`;
  }
  return `<div class="legend">${drawn.map(d => `<span>${swatch(d)}</span>`).join('')}</div>`;
}

function legendHeight(panel: Panel, drawn: Drawn[], width: number): number {
  const options = (panel.options ?? {}) as { legend?: { displayMode?: string; showLegend?: boolean } };
  if (options.legend?.showLegend === false) return 0;
  if (options.legend?.displayMode === 'table') return 22 * (drawn.length + 1) + 4;
  const chars = drawn.reduce((n, d) => n + d.name.length + 6, 0);
  return 20 * Math.max(1, Math.ceil((chars * 7) / width)) + 4;
}

function statHtml(panel: Panel, results: TargetResult[], box: Box): string {
  const fields = defaults(panel);
  const options = (panel.options ?? {}) as { colorMode?: string; graphMode?: string };
  const series = results.flatMap(r => r.series);
  if (series.length === 0) return '<div class="nodata">No data</div>';
  const width = Math.floor(box.width / series.length) - 6;
  const cells = series.map(s => {
    const value = lastValue(s.points);
    const shown = value === undefined ? { text: 'No data', color: color('text') } : display(value, fields);
    const background = options.colorMode === 'background';
    const style = background ? `background:${shown.color};color:#fff` : `color:${shown.color}`;
    let spark = '';
    if (options.graphMode === 'area' && s.points.length > 1) {
      const points = s.points.filter(([, v]) => Number.isFinite(v));
      const t0 = points[0]?.[0] ?? 0;
      const t1 = points[points.length - 1]?.[0] ?? 1;
      const scale = scaleOf(
        points.map(p => p[1]),
        fields,
      );
      const xy = ([t, v]: [number, number]) =>
        `${(((t - t0) / Math.max(t1 - t0, 1)) * width).toFixed(1)},${(36 - ((v - scale.min) / (scale.max - scale.min)) * 34).toFixed(1)}`;
      spark = `<svg class="spark" width="${width}" height="36"><path d="${path(points, true, xy)}" fill="none" stroke="${shown.color}" stroke-width="1.5"/></svg>`;
    }
    return `<div class="stat" style="${style};width:${width}px"><div class="name">${escapeHtml(s.name)}</div><div class="value">${escapeHtml(shown.text)}</div>${spark}</div>`;
  });
  return `<div class="stats">${cells.join('')}</div>`;
}

function timelineSvg(panel: Panel, results: TargetResult[], range: Range, box: Box): string {
  const fields = defaults(panel);
  const series = results.flatMap(r => r.series);
  if (series.length === 0) return '<div class="nodata">No data</div>';
  const labelW = 110;
  const plotW = box.width - labelW - 12;
  const rowH = (box.height - PLOT.bottom) / series.length;
  const x = (t: number) => labelW + ((t - range.start) / (range.end - range.start)) * plotW;
  const parts: string[] = [];
  series.forEach((s, row) => {
    const y = row * rowH + rowH * 0.1;
    parts.push(
      `<text x="${labelW - 8}" y="${(y + rowH * 0.45).toFixed(1)}" dy="4" text-anchor="end" class="tick">${escapeHtml(s.name)}</text>`,
    );
    let start = 0;
    const points = s.points.filter(([, v]) => Number.isFinite(v));
    for (let i = 1; i <= points.length; i++) {
      const current = points[i];
      const begin = points[start];
      if (begin === undefined) break;
      const previous = points[i - 1] ?? begin;
      const gap = current !== undefined && current[0] - previous[0] > range.stepSeconds * 3;
      if (current !== undefined && current[1] === begin[1] && !gap) continue;
      const end = current !== undefined && !gap ? current[0] : previous[0] + range.stepSeconds;
      const shown = display(begin[1], fields);
      const x0 = x(begin[0]);
      const w = Math.max(1, x(end) - x0);
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${(rowH * 0.8).toFixed(1)}" fill="${shown.color}" fill-opacity="0.8"/>`,
      );
      if (w > shown.text.length * 8)
        parts.push(
          `<text x="${(x0 + 6).toFixed(1)}" y="${(y + rowH * 0.4).toFixed(1)}" dy="4" class="band">${escapeHtml(shown.text)}</text>`,
        );
      start = i;
    }
  });
  parts.push(xAxis(range, box, x));
  return `<svg width="${box.width}" height="${box.height}">${parts.join('')}</svg>`;
}

function panelBody(panel: Panel, results: TargetResult[], range: Range, box: Box): string {
  switch (panel.type) {
    case 'stat':
      return statHtml(panel, results, box);
    case 'state-timeline':
      return timelineSvg(panel, results, range, box);
    default: {
      const drawn = drawnSeries(panel, results);
      if (drawn.every(d => d.points.length === 0)) return '<div class="nodata">No data</div>';
      const legendH = legendHeight(panel, drawn, box.width);
      return (
        timeseriesSvg(panel, drawn, range, { width: box.width, height: box.height - legendH }) +
        legendHtml(panel, drawn)
      );
    }
  }
}

function frame(panel: Panel | RowPanel): { left: number; top: number; width: number; height: number } {
  const g = pos(panel);
  return {
    left: GAP_PX + g.x * COLUMN_PX,
    top: HEADER_PX + g.y * (ROW_PX + GAP_PX),
    width: g.w * COLUMN_PX - GAP_PX,
    height: g.h * ROW_PX + (g.h - 1) * GAP_PX,
  };
}

const STYLE = `
body { margin: 0; background: #111217; color: #ccccdc; font: 13px Inter, "Helvetica Neue", Arial, sans-serif; }
header { position: absolute; left: 8px; top: 8px; right: 8px; height: 48px; }
header h1 { font-size: 18px; font-weight: 500; margin: 0 0 6px; }
header .vars span { background: #22252b; border: 1px solid #34373d; border-radius: 2px; padding: 2px 8px; margin-right: 8px; }
.panel { position: absolute; background: #181b1f; border: 1px solid #2c3035; border-radius: 2px; box-sizing: border-box; overflow: hidden; }
.panel h2 { font-size: 13px; font-weight: 500; margin: 0; padding: 6px 8px; height: 20px; }
.row h2 { font-size: 15px; padding: 4px 0; }
.row { position: absolute; }
.body { position: absolute; left: 8px; right: 8px; top: 32px; bottom: 6px; }
.tick { fill: #8e8e9e; font-size: 11px; }
.band { fill: #fff; font-size: 12px; font-weight: 500; }
.grid { stroke: #2c3035; }
.legend { font-size: 12px; }
.legend span { margin-right: 14px; white-space: nowrap; }
table.legend { border-collapse: collapse; width: 100%; }
table.legend td, table.legend th { text-align: right; padding: 1px 8px; font-weight: 400; }
table.legend th { color: #6e9fff; }
table.legend td:first-child { text-align: left; }
.swatch { display: inline-block; width: 14px; height: 4px; margin: 0 6px 3px 0; vertical-align: middle; border-radius: 2px; }
.stats { display: flex; gap: 6px; height: 100%; }
.stat { position: relative; border-radius: 2px; padding: 4px 8px; box-sizing: border-box; height: 100%; overflow: hidden; }
.stat .name { font-size: 12px; opacity: 0.9; }
.stat .value { font-size: 30px; font-weight: 500; position: relative; z-index: 1; }
.stat .spark { position: absolute; left: 0; bottom: 0; }
.nodata { color: #8e8e9e; text-align: center; padding-top: 40px; }
`;

export interface Rendered {
  panel: Panel;
  results: TargetResult[];
}

export function renderHtml(
  dashboard: Dashboard,
  rendered: Rendered[],
  selection: Selection,
  range: Range,
): { html: string; height: number } {
  const parts: string[] = [];
  let bottom = 0;
  for (const row of (dashboard.panels ?? []).filter(isRow)) {
    const f = frame(row);
    parts.push(
      `<div class="row" style="left:${f.left}px;top:${f.top}px;width:${f.width}px"><h2>${escapeHtml(row.title ?? '')}</h2></div>`,
    );
  }
  for (const { panel, results } of rendered) {
    const f = frame(panel);
    bottom = Math.max(bottom, f.top + f.height);
    const box = { width: f.width - 16, height: f.height - 38 };
    parts.push(
      `<div class="panel" style="left:${f.left}px;top:${f.top}px;width:${f.width}px;height:${f.height}px">` +
        `<h2>${escapeHtml(panel.title ?? '')}</h2><div class="body">${panelBody(panel, results, range, box)}</div></div>`,
    );
  }
  const vars = Object.entries(selection).map(
    ([name, value]) =>
      `<span>${escapeHtml(name)}: ${escapeHtml(Array.isArray(value) ? value.join(' + ') : value)}</span>`,
  );
  const when = `${new Date(range.start * 1000).toISOString().replace('T', ' ').slice(0, 19)} to ${timeLabel(range.end)} UTC`;
  const header = `<header><h1>${escapeHtml(dashboard.title ?? '')}</h1><div class="vars">${vars.join('')}<span>${when}</span></div></header>`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}</style></head><body>${header}${parts.join('\n')}</body></html>`;
  return { html, height: bottom + GAP_PX };
}

// ---- Command line ----------------------------------------------------------------------------------------

/** Seconds of "15s", "2m", "1h". */
export function seconds(duration: string): number {
  const parsed = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(duration);
  if (!parsed) throw new Error(`not a duration: ${duration}`);
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[parsed[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(parsed[1]) * factor;
}

/** now, now-30m, unix seconds or an ISO date. */
function time(value: string, now: number): number {
  if (value === 'now') return now;
  if (value.startsWith('now-')) return now - seconds(value.slice(4));
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new Error(`not a time: ${value}`);
  return parsed / 1000;
}

function chromium(): string {
  for (const binary of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      execFileSync('which', [binary], { stdio: 'ignore' });
      return binary;
    } catch {
      // try the next name
    }
  }
  throw new Error('chromium not found: apt-get install -y chromium');
}

export function screenshot(html: string, out: string, width: number, height: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
  try {
    const page = join(dir, 'dashboard.html');
    writeFileSync(page, html);
    execFileSync(
      chromium(),
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        `--user-data-dir=${join(dir, 'profile')}`,
        `--screenshot=${resolve(out)}`,
        `--window-size=${width},${height}`,
        `file://${page}`,
      ],
      { stdio: 'ignore', timeout: 60_000 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prometheus: { type: 'string' },
      from: { type: 'string', default: 'now-30m' },
      to: { type: 'string', default: 'now' },
      namespace: { type: 'string' },
      target: { type: 'string', multiple: true },
      'scrape-interval': { type: 'string', default: '15s' },
      out: { type: 'string', default: 'docs/img/grafana-dashboard.png' },
      html: { type: 'string' },
    },
  });
  if (values.prometheus === undefined) throw new Error('--prometheus URL is required');
  const now = Date.now() / 1000;
  const start = Math.floor(time(values.from, now));
  const end = Math.ceil(time(values.to, now));
  const scrapeSeconds = seconds(values['scrape-interval']);
  // About one point per 4 px of a full-width panel, never finer than the scrape interval.
  const stepSeconds = Math.max(scrapeSeconds, Math.ceil((end - start) / 400));
  const range = { start, end, stepSeconds, scrapeSeconds };
  const client = new PrometheusClient(values.prometheus);
  const dashboard = loadDashboard();
  const chosen: Selection = {};
  if (values.namespace !== undefined) chosen.namespace = values.namespace;
  if (values.target !== undefined) chosen.target = values.target;
  const { selection } = await resolveVariables(client, dashboard, range, chosen);
  const rendered: Rendered[] = [];
  for (const panel of queryPanels(dashboard)) {
    rendered.push({ panel, results: await runPanel(client, dashboard, panel, selection, range) });
  }
  const { html, height } = renderHtml(dashboard, rendered, selection, range);
  if (values.html !== undefined) writeFileSync(values.html, html);
  screenshot(html, values.out, 1600, height);
  console.log(`wrote ${values.out}`);
}

if (import.meta.main) await main();
