import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport, histogram, latencies, type CallResult, type ReportInput } from './ghz-report.ts';

const ok = (ms: number): CallResult => ({
  latencyNs: ms * 1e6,
  status: 'OK',
  error: '',
  timestamp: new Date(0),
});
const failed = (ms: number, status = 'Unavailable'): CallResult => ({
  latencyNs: ms * 1e6,
  status,
  error: `rpc error: code = ${status} desc = down`,
  timestamp: new Date(0),
});
const input = (results: CallResult[], extra: Partial<ReportInput> = {}): ReportInput => ({
  results,
  totalNs: 100e6,
  endReason: 'normal',
  countErrors: false,
  name: '',
  options: {},
  tags: undefined,
  date: new Date(0),
  ...extra,
});
const oneToTen = Array.from({ length: 10 }, (_, i) => ok(i + 1));

describe('ghz report', () => {
  it('averages every call, and takes the fastest, slowest and percentiles of the successful ones', () => {
    const report = buildReport(input([...oneToTen, failed(50), failed(0.5, 'DeadlineExceeded')]));
    assert.equal(report.count, 12);
    assert.equal(report.averageNs, Math.trunc(((55 + 50.5) / 1000 / 12) * 1e9));
    assert.equal(report.fastestNs, 1e6);
    assert.equal(report.slowestNs, 10e6);
    assert.equal(report.rps, 120);
    assert.deepEqual(report.statusCodeDist, { OK: 10, Unavailable: 1, DeadlineExceeded: 1 });
    assert.deepEqual(report.errorDist, {
      'rpc error: code = Unavailable desc = down': 1,
      'rpc error: code = DeadlineExceeded desc = down': 1,
    });
    assert.equal(report.details.length, 12);
  });

  it('counts the failed calls in the latencies with --count-errors', () => {
    const report = buildReport(input([...oneToTen, failed(50)], { countErrors: true }));
    assert.equal(report.slowestNs, 50e6);
    assert.equal(report.latencyDistribution?.at(-1)?.latencyNs, 50e6);
  });

  it('leaves the latencies out when no call succeeded, and everything when no call was made', () => {
    const allFailed = buildReport(input([failed(1), failed(2)]));
    assert.equal(allFailed.fastestNs, 0);
    assert.equal(allFailed.histogram, null);
    assert.equal(allFailed.latencyDistribution, null);
    assert.ok(allFailed.averageNs > 0);
    const none = buildReport(input([]));
    assert.deepEqual(
      [none.count, none.averageNs, none.rps, none.histogram, none.details],
      [0, 0, 0, null, []],
    );
  });

  const percentiles: [number[], number[]][] = [
    // By rank: a rank that is a whole number takes the value just below it.
    [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [1, 3, 5, 8, 9, 10, 10],
    ],
    [[7], [7, 7, 7, 7, 7, 7, 7]],
    [
      [1, 2],
      [1, 1, 1, 2, 2, 2, 2],
    ],
  ];
  for (const [sorted, expected] of percentiles) {
    it(`puts the percentiles of ${JSON.stringify(sorted)} at ${JSON.stringify(expected)}`, () => {
      const points = latencies(sorted.map(ms => ms / 1000));
      assert.deepEqual(
        points.map(p => p.percentage),
        [10, 25, 50, 75, 90, 95, 99],
      );
      assert.deepEqual(
        points.map(p => Math.round(p.latencyNs / 1e6)),
        expected,
      );
    });
  }

  it('keeps a zero latency as a zero point, as ghz does', () => {
    assert.deepEqual(latencies([0, 0])[0], { percentage: 0, latencyNs: 0 });
  });

  const histograms: [number[], number[]][] = [
    // Marks 1, 1.9, 2.8, ... 9.1, 10 ms.
    [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    ],
    [
      [1, 1, 1, 10],
      [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    ],
    // All alike: every mark is the same, and the first bucket takes them all.
    [
      [5, 5, 5],
      [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ],
  ];
  for (const [ms, counts] of histograms) {
    it(`buckets ${JSON.stringify(ms)} as ${JSON.stringify(counts)}`, () => {
      const sorted = ms.map(m => m / 1000);
      const buckets = histogram(sorted, sorted.at(-1) ?? 0, sorted[0] ?? 0);
      assert.deepEqual(
        buckets.map(b => b.count),
        counts,
      );
      assert.equal(buckets[0]?.mark, sorted[0]);
      assert.equal(buckets.at(-1)?.mark, sorted.at(-1));
      assert.equal(buckets.reduce((sum, b) => sum + b.frequency, 0).toFixed(6), '1.000000');
    });
  }
});
