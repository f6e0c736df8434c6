// The fault matrix as Markdown, between markers in test/chaos/README.md: what a run found, in a stable order and
// with the run's ports taken out, so that the committed table is the one a run produces.
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { FAULT_TITLES, FAULTS, type Fault } from './faults.ts';

export const FAILED_CLOSED = 'failed closed';

export interface CellResult {
  family: 'metrics' | 'notifiers';
  provider: string;
  fault: Fault;
  /** FAILED_CLOSED, or what went wrong. */
  outcome: string;
  /** The check's verdict (metrics) or "error" (notifiers). */
  verdict: string;
  message: string;
}

export interface RowInfo {
  family: 'metrics' | 'notifiers';
  provider: string;
  timeoutMs: number;
  timeoutSource: string;
}

const BEGIN = '<!-- fault-matrix:begin -->';
const END = '<!-- fault-matrix:end -->';

/** The messages as they would read on any machine: the bad server's port is the run's. */
export function stableMessage(message: string): string {
  return message.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>');
}

/** Most characters of a message in the table: garbage a provider quotes is cut. */
const SHOWN_CHARS = 240;

const cellText = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
/** A message as table code: on one line, control characters shown as U+FFFD, cut at SHOWN_CHARS. */
function code(text: string): string {
  if (text === '') return '';
  const line = text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\p{Cc}/gu, '\uFFFD')
    .replace(/`/g, "'");
  const shown = line.length > SHOWN_CHARS ? `${line.slice(0, SHOWN_CHARS)}…` : line;
  return `\`${shown.replace(/\|/g, '\\|')}\``;
}

/** The generated section: a grid of verdicts per provider and fault, then every message. */
export function renderMatrix(rows: readonly RowInfo[], results: readonly CellResult[]): string {
  const find = (provider: string, fault: Fault) =>
    results.find(r => r.provider === provider && r.fault === fault);
  const grid = [
    `| provider | deadline | ${FAULTS.map(f => FAULT_TITLES[f].title).join(' | ')} |`,
    `| --- | --- | ${FAULTS.map(() => '---').join(' | ')} |`,
    ...rows.map(row => {
      const cells = FAULTS.map(fault => {
        const result = find(row.provider, fault);
        if (result === undefined) return '—';
        return result.outcome === FAILED_CLOSED ? `✔ ${result.verdict}` : `✘ ${cellText(result.outcome)}`;
      });
      return `| ${row.provider} (${row.family}) | ${row.timeoutMs / 1000}s: ${row.timeoutSource} | ${cells.join(' | ')} |`;
    }),
  ];
  const messages = [
    '| provider | fault | outcome | message |',
    '| --- | --- | --- | --- |',
    ...rows.flatMap(row =>
      FAULTS.flatMap(fault => {
        const result = find(row.provider, fault);
        if (result === undefined) return [];
        const title = FAULT_TITLES[fault].title;
        return [
          `| ${row.provider} | ${title} | ${cellText(result.outcome)} | ${code(stableMessage(result.message))} |`,
        ];
      }),
    ),
  ];
  const legend = [
    ...FAULTS.map(fault => `- ${FAULT_TITLES[fault].title}: ${FAULT_TITLES[fault].what}.`),
    '',
    'A cell shows ✔ and how the check failed (its verdict: `Error`, `NoValues`, or `Failed` for a value it',
    'refused) or `error` for a notifier; ✘ and what went wrong otherwise.',
  ];
  return [BEGIN, '', ...legend, '', ...grid, '', ...messages, '', END].join('\n');
}

/**
 * The README with its section replaced by `section`, formatted as the repository formats Markdown. With `compare`
 * (CI, a clean checkout) the file is left alone and the difference returned; else it is rewritten when it differs.
 */
export async function updateReadme(
  path: string,
  section: string,
  compare: boolean,
): Promise<string | undefined> {
  const current = await readFile(path, 'utf8');
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (begin === -1 || end < begin) throw new Error(`${path} has no ${BEGIN} ... ${END} section`);
  const replaced = current.slice(0, begin) + section + current.slice(end + END.length);
  const options = await resolveConfig(path);
  const wanted = await format(replaced, { ...options, filepath: path });
  if (wanted === current) return undefined;
  if (!compare) {
    await writeFile(path, wanted);
    return undefined;
  }
  return `${path} is not the table this run produced; run the test without CI=true and commit the file`;
}
