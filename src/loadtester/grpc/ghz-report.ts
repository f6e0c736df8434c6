// The report of a ghz run, computed as ghz's runner/reporter.go computes it: the average over every call, the
// fastest, slowest, histogram and percentiles over the successful ones (all with --count-errors), the status
// and error distributions. Latencies go through float seconds and back, as in ghz.

export interface CallResult {
  latencyNs: number;
  /** grpc-go's code name: OK, Unavailable, DeadlineExceeded, ... */
  status: string;
  /** Empty for OK; grpc-go's wording otherwise (`rpc error: code = ... desc = ...`). */
  error: string;
  timestamp: Date;
}

export type EndReason = 'normal' | 'cancel' | 'timeout';

export interface Bucket {
  /** Seconds. */
  mark: number;
  count: number;
  /** Of the calls counted, as a fraction. */
  frequency: number;
}

export interface LatencyPoint {
  percentage: number;
  latencyNs: number;
}

export interface Report {
  name: string;
  endReason: EndReason;
  date: Date;
  /** The run's settings as ghz reports them (JSON names, Go zero values). */
  options: Record<string, unknown>;
  count: number;
  totalNs: number;
  averageNs: number;
  fastestNs: number;
  slowestNs: number;
  rps: number;
  errorDist: Record<string, number>;
  statusCodeDist: Record<string, number>;
  /** null when no call counted (ghz's nil slices). */
  latencyDistribution: LatencyPoint[] | null;
  histogram: Bucket[] | null;
  details: CallResult[];
  tags: Record<string, string> | undefined;
}

export interface ReportInput {
  results: readonly CallResult[];
  totalNs: number;
  endReason: EndReason;
  countErrors: boolean;
  name: string;
  options: Record<string, unknown>;
  tags: Record<string, string> | undefined;
  date: Date;
}

/** ghz keeps at most this many calls' details. */
export const MAX_DETAILS = 1_000_000;
const PERCENTILES = [10, 25, 50, 75, 90, 95, 99];
const BUCKETS = 10;

const seconds = (ns: number) => ns / 1e9;
const nanos = (s: number) => Math.trunc(s * 1e9);

export function buildReport(input: ReportInput): Report {
  const errorDist: Record<string, number> = {};
  const statusCodeDist: Record<string, number> = {};
  let totalSeconds = 0;
  for (const result of input.results) {
    totalSeconds += seconds(result.latencyNs);
    statusCodeDist[result.status] = (statusCodeDist[result.status] ?? 0) + 1;
    if (result.error !== '') errorDist[result.error] = (errorDist[result.error] ?? 0) + 1;
  }
  const count = input.results.length;
  const details = input.results.slice(0, MAX_DETAILS);
  const report: Report = {
    name: input.name,
    endReason: input.endReason,
    date: input.date,
    options: input.options,
    count,
    totalNs: input.totalNs,
    averageNs: 0,
    fastestNs: 0,
    slowestNs: 0,
    rps: 0,
    errorDist,
    statusCodeDist,
    latencyDistribution: null,
    histogram: null,
    details,
    tags: input.tags,
  };
  if (details.length === 0) return report;
  report.averageNs = nanos(totalSeconds / count);
  report.rps = count / seconds(input.totalNs);
  const counted = details
    .filter(d => d.error === '' || input.countErrors)
    .map(d => seconds(d.latencyNs))
    .sort((a, b) => a - b);
  const fastest = counted[0];
  const slowest = counted.at(-1);
  if (fastest === undefined || slowest === undefined) return report;
  report.fastestNs = nanos(fastest);
  report.slowestNs = nanos(slowest);
  report.histogram = histogram(counted, slowest, fastest);
  report.latencyDistribution = latencies(counted);
  return report;
}

/** The latency at each percentile, by rank; a percentile whose latency is 0 is left as ghz leaves it: zero. */
export function latencies(sorted: readonly number[]): LatencyPoint[] {
  return PERCENTILES.map(percentage => {
    const rank = (percentage / 100) * sorted.length;
    let index = Math.trunc(rank);
    if (rank === index) index -= 1;
    const latency = sorted[Math.max(index, 0)] ?? 0;
    return latency > 0 ? { percentage, latencyNs: nanos(latency) } : { percentage: 0, latencyNs: 0 };
  });
}

/** Ten equal buckets from the fastest to the slowest, plus one at the slowest; each counts calls up to its mark. */
export function histogram(sorted: readonly number[], slowest: number, fastest: number): Bucket[] {
  const size = (slowest - fastest) / BUCKETS;
  const marks = Array.from({ length: BUCKETS }, (_, i) => fastest + size * i);
  marks.push(slowest);
  const counts = marks.map(() => 0);
  let bucket = 0;
  for (let i = 0; i < sorted.length;) {
    if ((sorted[i] ?? 0) <= (marks[bucket] ?? 0)) {
      i++;
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    } else {
      // The last mark is the slowest latency itself, so every latency finds a bucket.
      bucket++;
    }
  }
  return marks.map((mark, i) => ({
    mark,
    count: counts[i] ?? 0,
    frequency: (counts[i] ?? 0) / sorted.length,
  }));
}
