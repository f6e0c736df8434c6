// One benchmark result as a markdown table row, with where and when it was measured, printed and optionally
// appended to bench/results/<name>.md (the file gets its title and header on the first append).
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Column name → cell, in column order. */
export type Row = [string, string][];

export interface Provenance {
  date: string;
  commit: string;
  machine: string;
}

export function provenance(): Provenance {
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    commit: commit(),
    machine: machine(),
  };
}

/** "2 cores, 23.5 GiB, load 5.6": cores and RAM from /proc, and how busy the machine was at the start. */
function machine(): string {
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readProc('/proc/meminfo'))?.[1] ?? Number.NaN);
  const cores = (readProc('/proc/cpuinfo').match(/^processor\s*:/gm) ?? []).length || cpus().length;
  const load = loadavg()[0] ?? 0;
  return `${cores} cores, ${(memKb / 1024 / 1024).toFixed(1)} GiB, load ${load.toFixed(1)}`;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function readProc(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function header(row: Row): string {
  const names = ['date', 'commit', 'machine', ...row.map(([name]) => name)];
  return `| ${names.join(' | ')} |\n|${names.map(() => ' --- ').join('|')}|`;
}

export function markdownRow(row: Row, where: Provenance): string {
  const cells = [where.date, where.commit, where.machine, ...row.map(([, cell]) => cell)];
  return `| ${cells.map(cell => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

/** Appends the row to the results file of the benchmark, creating it with a title and header. */
export function record(file: URL, title: string, row: Row, where: Provenance): void {
  if (!existsSync(file)) appendFileSync(file, `# ${title}\n\n${header(row)}\n`);
  appendFileSync(file, `${markdownRow(row, where)}\n`);
}
