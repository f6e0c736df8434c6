// `flagger get [canaries] [NAME...] [-A] [-w] [-n NS] [-o table|json|yaml]`: the canaries and where their
// releases are; with -w, every change as it happens until Ctrl-C.
import type { Canary } from '../../api/canary.ts';
import { API_VERSION } from '../../api/crds.ts';
import { Informer } from '../../kube/informer.ts';
import { objectKey } from '../../kube/types.ts';
import { silentLogger } from '../../logging/logger.ts';
import {
  CLUSTER_OPTIONS,
  colorsFor,
  connectCluster,
  explainKubeError,
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
  type OutputFormat,
} from './common.ts';
import {
  cellText,
  fitWidths,
  formatTable,
  phasePaint,
  type Cell,
  type Column,
  type Palette,
} from './table.ts';

export const GET_USAGE = `usage: flagger get [canaries] [NAME...] [-A] [-w] [-n NAMESPACE] [-o table|json|yaml]
  -A, --all-namespaces   canaries of every namespace
  -w, --watch            keep printing the rows that change, until Ctrl-C
  --kubeconfig FILE      cluster credentials (default: KUBECONFIG, ~/.kube/config or in-cluster)
  --context NAME         kubeconfig context`;

const OPTIONS = {
  ...CLUSTER_OPTIONS,
  ...OUTPUT_OPTION,
  'all-namespaces': { type: 'boolean', short: 'A' },
  watch: { type: 'boolean', short: 'w' },
} as const;

const RESOURCE_WORDS = new Set(['canaries', 'canary', 'canaries.flagger.app', 'canary.flagger.app']);

/** The table's columns, NAMESPACE first with -A. */
export function canaryColumns(allNamespaces: boolean): Column[] {
  return [
    ...(allNamespaces ? [{ header: 'NAMESPACE', shrink: 'truncate' as const }] : []),
    { header: 'NAME', shrink: 'truncate' },
    { header: 'PHASE' },
    { header: 'WEIGHT', align: 'right' },
    { header: 'FAILED', align: 'right' },
    { header: 'ITERATIONS', align: 'right' },
    { header: 'LAST TRANSITION' },
  ];
}

/** One canary's row; a deleted canary shows the phase Deleted. */
export function canaryRow(canary: Canary, allNamespaces: boolean, colors: Palette, deleted = false): Cell[] {
  const {
    phase,
    canaryWeight = 0,
    failedChecks = 0,
    iterations = 0,
    lastTransitionTime = '',
  } = canary.status ?? {};
  const shown = deleted ? 'Deleted' : phase || 'Unknown';
  return [
    ...(allNamespaces ? [canary.metadata.namespace ?? ''] : []),
    canary.metadata.name ?? '',
    { text: shown, paint: phasePaint(colors, shown) },
    String(canaryWeight),
    String(failedChecks),
    String(iterations),
    lastTransitionTime,
  ];
}

const byKey = (a: Canary, b: Canary) => objectKey(a).localeCompare(objectKey(b));

export async function runGet(args: string[], io: Io): Promise<number> {
  return run(io, GET_USAGE, async () => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS);
    if (helpRequested(io, values, GET_USAGE)) return 0;
    const [first, ...rest] = positionals;
    const names = first !== undefined && RESOURCE_WORDS.has(first) ? rest : positionals;
    const all = values['all-namespaces'] === true;
    if (all && values.namespace !== undefined) throw new UsageError('-A and -n cannot be used together');
    const format = outputFormat(values.output);
    const { client, namespace } = connectCluster(values);
    const scope = all ? undefined : namespace;
    const wanted = (c: Canary) => names.length === 0 || names.includes(c.metadata.name ?? '');
    const view = { io, format, all, colors: colorsFor(io.out, io.env) };
    let canaries: Canary[];
    try {
      const list = await client.list<Canary>(API_VERSION, 'Canary', {
        ...(scope !== undefined && { namespace: scope }),
      });
      canaries = list.items.filter(wanted).sort(byKey);
    } catch (err) {
      throw explainKubeError(err);
    }
    if (values.watch === true) {
      // The list above has shown that the canaries can be read; the informer lists again and watches.
      const informer = new Informer<Canary>(client, {
        apiVersion: API_VERSION,
        kind: 'Canary',
        ...(scope !== undefined && { namespace: scope }),
        logger: silentLogger(),
      });
      return watch(informer, view, wanted);
    }
    const missing = names.filter(n => !canaries.some(c => c.metadata.name === n));
    if (canaries.length > 0 || missing.length === 0) printCanaries(view, canaries, scope);
    for (const name of missing)
      println(io.err, `error: canary ${name} not found in namespace ${namespace}: check the name and -n`);
    return missing.length > 0 ? 1 : 0;
  });
}

interface View {
  io: Io;
  format: OutputFormat;
  all: boolean;
  colors: Palette;
}

function printCanaries(view: View, canaries: Canary[], scope: string | undefined): void {
  const { io, format, all, colors } = view;
  if (format !== 'table') {
    printStructured(io, format, { apiVersion: 'v1', kind: 'List', items: canaries });
    return;
  }
  if (canaries.length === 0) {
    println(io.err, scope === undefined ? 'No canaries found.' : `No canaries found in namespace ${scope}.`);
    return;
  }
  const rows = canaries.map(c => canaryRow(c, all, colors));
  const lines = formatTable(canaryColumns(all), rows, {
    maxWidth: terminalWidth(io.out),
    paintHeader: colors.bold,
  });
  for (const line of lines) println(io.out, line);
}

/**
 * Lists through an informer (list, then KubeClient.watch, resumed and relisted as needed), prints the table,
 * then each row whose printed form changed, aligned with the table; ends when io.signal aborts.
 */
async function watch(
  informer: Informer<Canary>,
  view: View,
  wanted: (c: Canary) => boolean,
): Promise<number> {
  const { io, format, all, colors } = view;
  const columns = canaryColumns(all);
  const printed = new Map<string, string>();
  let widths: number[] | undefined;
  const show = (canary: Canary, deleted = false) => {
    if (widths === undefined && format === 'table') return; // before the first table: it shows the canary
    if (!wanted(canary)) return;
    const key = objectKey(canary);
    const row = canaryRow(canary, all, colors, deleted);
    const text = format === 'table' ? row.map(cellText).join('\t') : JSON.stringify(canary);
    if (printed.get(key) === text && !deleted) return;
    printed.set(key, text);
    if (format === 'table') {
      for (const line of formatTable(columns, [row], { ...(widths && { widths }), noHeader: true }))
        println(io.out, line);
      return;
    }
    if (format === 'yaml') io.out.write('---\n');
    printStructured(io, format, canary);
  };
  informer.addHandlers({
    onAdd: c => show(c),
    onUpdate: (_, c) => show(c),
    onDelete: c => show(c, true),
  });
  const stopped = new Promise<void>(resolve => {
    if (io.signal?.aborted === true) resolve();
    io.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  informer.start();
  try {
    await Promise.race([informer.synced, stopped]);
    if (io.signal?.aborted === true) return 0;
    const initial = informer.list().filter(wanted).sort(byKey);
    if (format === 'table') {
      const rows = initial.map(c => canaryRow(c, all, colors));
      widths = fitWidths(columns, rows, terminalWidth(io.out));
      for (const line of formatTable(columns, rows, { widths, paintHeader: colors.bold }))
        println(io.out, line);
      for (const [i, canary] of initial.entries())
        printed.set(objectKey(canary), (rows[i] ?? []).map(cellText).join('\t'));
    } else {
      for (const canary of initial) show(canary);
    }
    await stopped;
  } finally {
    informer.stop();
  }
  return 0;
}
