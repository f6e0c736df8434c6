// Text output of the CLI subcommands: tables that fit the terminal, colours only on a terminal, short ages and
// durations.
import { formatDuration } from '../../api/duration.ts';

/** A cell: its text and, on a colour terminal, how it is painted (painting never changes its width). */
export type Cell = string | { text: string; paint?: (text: string) => string };

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** How the column gives up width when the table is too wide: cut with "…" or wrap onto more lines. */
  shrink?: 'truncate' | 'wrap';
}

export interface TableOptions {
  /** Width of the terminal; Infinity (pipes, files) never shrinks anything. */
  maxWidth?: number;
  /** Header style on a colour terminal. */
  paintHeader?: (text: string) => string;
  /** Fixed widths (e.g. of a table printed before), instead of fitting these rows. */
  widths?: number[];
  /** Rows only, e.g. rows added under a table printed before. */
  noHeader?: boolean;
}

const GAP = '   ';
/** A shrinking column keeps at least this many characters (or its header, when longer). */
const MIN_SHRUNK_WIDTH = 8;

/** A cell's text, without paint. */
export const cellText = (cell: Cell): string => (typeof cell === 'string' ? cell : cell.text);

/** The lines of a table: headers, then one or more lines per row, every column aligned. */
export function formatTable(columns: Column[], rows: Cell[][], options: TableOptions = {}): string[] {
  const widths = options.widths ?? fitWidths(columns, rows, options.maxWidth ?? Infinity);
  const header = columns.map(c => [c.header]);
  const lines = options.noHeader === true ? [] : [renderLine(columns, widths, header, options.paintHeader)];
  for (const row of rows) {
    const cells = columns.map((column, i) => cellLines(column, cellText(row[i] ?? ''), widths[i] ?? 0));
    const paints = columns.map((_, i) => {
      const cell = row[i];
      return typeof cell === 'object' ? cell.paint : undefined;
    });
    const height = Math.max(...cells.map(c => c.length));
    for (let line = 0; line < height; line++) {
      lines.push(
        renderLine(
          columns,
          widths,
          cells.map(c => [c[line] ?? '']),
          undefined,
          paints,
        ),
      );
    }
  }
  return lines;
}

/** A wrapping column keeps this much width until the truncating columns have given up theirs. */
const COMFORTABLE_WRAP_WIDTH = 24;

/**
 * Column widths: each as wide as its widest cell, then narrowed to fit maxWidth: first the wrapping columns down
 * to a comfortable width (wrapping loses nothing), then the truncating ones, then the wrapping ones again, each
 * time the widest first.
 */
export function fitWidths(columns: Column[], rows: Cell[][], maxWidth: number): number[] {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map(row => cellText(row[i] ?? '').length)),
  );
  const floor = columns.map((column, i) =>
    Math.min(widths[i] ?? 0, Math.max(column.header.length, MIN_SHRUNK_WIDTH)),
  );
  const comfortable = floor.map((f, i) => Math.max(f, Math.min(widths[i] ?? 0, COMFORTABLE_WRAP_WIDTH)));
  const phases: [Column['shrink'], number[]][] = [
    ['wrap', comfortable],
    ['truncate', floor],
    ['wrap', floor],
  ];
  for (const [shrink, floors] of phases) shrinkTo(columns, widths, maxWidth, shrink, floors);
  return widths;
}

function shrinkTo(
  columns: Column[],
  widths: number[],
  maxWidth: number,
  shrink: Column['shrink'],
  floors: number[],
): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (columns.length - 1);
  while (total() > maxWidth) {
    let widest = -1;
    for (let i = 0; i < columns.length; i++) {
      if (columns[i]?.shrink !== shrink || (widths[i] ?? 0) <= (floors[i] ?? 0)) continue;
      if (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0)) widest = i;
    }
    if (widest < 0) return;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
}

function cellLines(column: Column, text: string, width: number): string[] {
  if (text.length <= width) return [text];
  if (column.shrink === 'wrap') return wrap(text, width);
  return [truncate(text, width)];
}

function renderLine(
  columns: Column[],
  widths: number[],
  cells: string[][],
  paintAll?: (text: string) => string,
  paints: (((text: string) => string) | undefined)[] = [],
): string {
  const parts = columns.map((column, i) => {
    const text = cells[i]?.[0] ?? '';
    const width = widths[i] ?? 0;
    const last = i === columns.length - 1;
    const pad = ' '.repeat(Math.max(0, width - text.length));
    const paint = paintAll ?? paints[i];
    const painted = paint && text !== '' ? paint(text) : text;
    if (column.align === 'right') return pad + painted;
    return last ? painted : painted + pad;
  });
  return parts.join(GAP).trimEnd();
}

/** The text cut to width characters, the last one an ellipsis. */
export function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  return `${text.slice(0, width - 1)}…`;
}

/** Greedy word wrap; a word longer than the width is cut into pieces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > width) {
      if (current !== '') lines.push(current);
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      current = '';
    }
    if (current === '') current = rest;
    else if (current.length + 1 + rest.length <= width) current = `${current} ${rest}`;
    else {
      lines.push(current);
      current = rest;
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}

/**
 * A paragraph wrapped to width: the first line starts with prefix, the others with as many spaces (a list item
 * "  - " hangs). An unlimited width keeps it on one line.
 */
export function paragraph(text: string, width: number, prefix = ''): string[] {
  if (prefix.length + text.length <= width) return [prefix + text];
  const indent = ' '.repeat(prefix.length);
  return wrap(text, Math.max(20, width - prefix.length)).map((line, i) => (i === 0 ? prefix : indent) + line);
}

/** ANSI styles, or identity functions when colour is off. */
export interface Palette {
  bold: (text: string) => string;
  dim: (text: string) => string;
  red: (text: string) => string;
  green: (text: string) => string;
  yellow: (text: string) => string;
  cyan: (text: string) => string;
  magenta: (text: string) => string;
}

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;

export function palette(enabled: boolean): Palette {
  const id = (text: string) => text;
  return enabled
    ? {
        bold: ansi(1),
        dim: ansi(2),
        red: ansi(31),
        green: ansi(32),
        yellow: ansi(33),
        cyan: ansi(36),
        magenta: ansi(35),
      }
    : { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id, magenta: id };
}

/** How a phase is painted: green when promoted, red when failed, yellow while a run is under way. */
export function phasePaint(colors: Palette, phase: string): (text: string) => string {
  switch (phase) {
    case 'Succeeded':
    case 'Initialized':
      return colors.green;
    case 'Failed':
      return colors.red;
    case 'Waiting':
    case 'WaitingPromotion':
      return colors.magenta;
    case 'Progressing':
    case 'Promoting':
    case 'Finalising':
      return colors.yellow;
    default:
      return colors.dim;
  }
}

/** How a verdict is painted. */
export function verdictPaint(colors: Palette, verdict: string): (text: string) => string {
  if (verdict === 'Passed') return colors.green;
  if (verdict === 'Failed' || verdict === 'Error') return colors.red;
  return colors.yellow;
}

/** kubectl's short age: 45s, 12m, 5h, 3d; "" for a missing or unparseable time. */
export function formatAge(time: string | undefined, nowMs: number): string {
  const at = Date.parse(time ?? '');
  if (Number.isNaN(at)) return '';
  const seconds = Math.max(0, Math.floor((nowMs - at) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** A duration as people write it: 0s, 45s, 3m, 1m30s, 2h5m (Go's format without the zero parts). */
export function formatSpan(ms: number): string {
  if (ms < 1000) return formatDuration(ms);
  return formatDuration(Math.round(ms / 1000) * 1000)
    .replace(/^(\d+h)0m0s$/, '$1')
    .replace(/(\d+m)0s$/, '$1');
}
