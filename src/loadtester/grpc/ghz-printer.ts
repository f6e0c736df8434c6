// ghz's output formats (printer/printer.go and template.go): the summary, csv, json and pretty json, character
// for character where it can be, since people read these in the load tester's logs and parse the json.
import type { Format } from './ghz-flags.ts';
import type { Bucket, Report } from './ghz-report.ts';

const BAR = '∎';

export function formatReport(report: Report, format: Format): string {
  switch (format) {
    case 'summary':
      return formatSummary(report);
    case 'csv':
      return formatCsv(report);
    case 'json':
      return goJson(reportJson(report));
    case 'pretty':
      return goJson(reportJson(report), 2);
  }
}

export function formatSummary(report: Report): string {
  const latencies = (report.latencyDistribution ?? [])
    .map(point => `\n  ${point.percentage} % in ${formatNanoUnit(point.latencyNs)} `)
    .join('');
  const statuses = Object.keys(report.statusCodeDist).sort();
  const errors = Object.keys(report.errorDist).sort();
  return [
    '\nSummary:\n',
    report.name ? `  Name:\t\t${report.name}\n` : '',
    `  Count:\t${report.count}\n`,
    `  Total:\t${formatNanoUnit(report.totalNs)}\n`,
    `  Slowest:\t${formatNanoUnit(report.slowestNs)}\n`,
    `  Fastest:\t${formatNanoUnit(report.fastestNs)}\n`,
    `  Average:\t${formatNanoUnit(report.averageNs)}\n`,
    `  Requests/sec:\t${fixed(report.rps)}\n`,
    '\nResponse time histogram:\n',
    formatHistogram(report.histogram ?? []),
    `\nLatency distribution:${latencies}\n\n`,
    statuses.length > 0
      ? `Status code distribution:\n${tabulate(statuses.map(s => [`  [${s}]`, `${report.statusCodeDist[s]} responses`]))}`
      : '',
    '\n',
    errors.length > 0
      ? `Error distribution:\n${tabulate(errors.map(e => [`  [${report.errorDist[e]}]`, e]))}`
      : '',
    '\n',
  ].join('');
}

/** 1234 ns, 12.35 ms, 1.50 s: ghz's formatNanoUnit. */
export function formatNanoUnit(ns: number): string {
  if (ns < 10_000) return `${ns} ns`;
  const ms = ns / 1e6;
  return ms < 1000 ? `${fixed(ms)} ms` : `${fixed(ms / 1000)} s`;
}

/** Go's %4.2f. */
function fixed(value: number): string {
  return goFixed(value, 2).padStart(4);
}

/**
 * Go's %.<digits>f. Both Go and toFixed round the exact value of the double, but a double that lies exactly
 * halfway (1.625) goes to the even neighbour in Go (1.62) and up with toFixed (1.63).
 */
export function goFixed(value: number, digits: number): string {
  const exact = Math.abs(value).toFixed(100);
  const cut = exact.indexOf('.') + (digits > 0 ? digits + 1 : 0);
  const tie = /^\.?50*$/.test(exact.slice(cut));
  const kept = exact.slice(0, cut);
  if (!tie || Number(kept.replace('.', '').at(-1)) % 2 === 1) return value.toFixed(digits);
  return `${value < 0 ? '-' : ''}${kept}`;
}

/** One line a bucket: its mark in ms, its count, and a bar of up to 40 marks scaled to the largest count. */
export function formatHistogram(buckets: readonly Bucket[]): string {
  const maxCount = Math.max(0, ...buckets.map(b => b.count));
  const marks = buckets.map(b => goFixed(b.mark * 1000, 3));
  const markWidth = Math.max(0, ...marks.map(m => m.length));
  const countWidth = String(maxCount).length;
  return buckets
    .map((bucket, i) => {
      const bar = maxCount > 0 ? Math.trunc((bucket.count * 40 + Math.trunc(maxCount / 2)) / maxCount) : 0;
      const count = String(bucket.count);
      return `  ${(marks[i] ?? '').padEnd(markWidth)} [${count}]${' '.repeat(countWidth - count.length)} |${BAR.repeat(bar)}\n`;
    })
    .join('');
}

/** Go's text/tabwriter with padding 3 and every cell tab-terminated: each column as wide as its widest cell + 3. */
export function tabulate(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, runes(cell))));
  return rows
    .map(row => `${row.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) + 3 - runes(cell))).join('')}\n`)
    .join('');
}

/** Go measures cell widths in code points. */
function runes(text: string): number {
  return Array.from(text).length;
}

function formatCsv(report: Report): string {
  const rows = report.details.map(d => `\n${fixed(d.latencyNs / 1e6)},${d.status},${d.error}`);
  return `\nduration (ms),status,error${rows.join('')}\n`;
}

/** The report as ghz marshals it: Go's field order and names, durations in nanoseconds, maps sorted by key. */
function reportJson(report: Report): Record<string, unknown> {
  const sorted = (map: Record<string, number>) =>
    Object.fromEntries(
      Object.keys(map)
        .sort()
        .map(key => [key, map[key]]),
    );
  return {
    date: report.date.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(report.name && { name: report.name }),
    endReason: report.endReason,
    options: report.options,
    count: report.count,
    total: report.totalNs,
    average: report.averageNs,
    fastest: report.fastestNs,
    slowest: report.slowestNs,
    rps: report.rps,
    errorDistribution: sorted(report.errorDist),
    statusCodeDistribution: sorted(report.statusCodeDist),
    latencyDistribution:
      report.latencyDistribution?.map(p => ({ percentage: p.percentage, latency: p.latencyNs })) ?? null,
    histogram: report.histogram,
    details: report.details.map(d => ({
      timestamp: d.timestamp.toISOString(),
      latency: d.latencyNs,
      error: d.error,
      status: d.status,
    })),
    ...(report.tags && Object.keys(report.tags).length > 0 && { tags: report.tags }),
  };
}

/** JSON as Go's encoding/json writes it: <, > and & escaped, and so are U+2028 and U+2029. */
function goJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    /[<>&\u2028\u2029]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
