// Reads the Prometheus text exposition format (what /metrics serves): one sample per line, `name{labels} value`.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      if (label[1] !== undefined) labels[label[1]] = label[2] ?? '';
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the series `name`, grouped by the value `groupBy` makes of each sample's labels. */
export function sumBy(
  samples: readonly Sample[],
  name: string,
  groupBy: (labels: Record<string, string>) => string | undefined = () => 'all',
): Map<string, number> {
  const out = new Map<string, number>();
  for (const sample of samples) {
    if (sample.name !== name) continue;
    const key = groupBy(sample.labels);
    if (key !== undefined) out.set(key, (out.get(key) ?? 0) + sample.value);
  }
  return out;
}

/** The sum of every series `name`. */
export function total(samples: readonly Sample[], name: string): number {
  return sumBy(samples, name).get('all') ?? 0;
}
