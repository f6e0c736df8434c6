// Small statistics and formatting helpers for benchmark rows.

/** The q-quantile (0..1) of values by the nearest-rank method; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** A number for a table cell: about three significant digits, "–" when not a number. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 0.01) return value.toFixed(2);
  return value.toPrecision(2);
}

/** Counts by key, e.g. requests by verb, as "GET 1.2, PUT 0.5" (largest first); "0" when empty. */
export function fmtBreakdown(counts: ReadonlyMap<string, number>, scale = 1): string {
  const parts = [...counts.entries()]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${fmt(n * scale)}`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

/** The difference after − before of two count maps (keys missing before count from zero). */
export function delta(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, n] of after) out.set(key, n - (before.get(key) ?? 0));
  return out;
}

export function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}

/** Runs fn over items with at most `limit` calls in flight. */
export async function inPool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
