import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHistogram, formatNanoUnit, formatReport, goFixed, tabulate } from './ghz-printer.ts';
import { buildReport, type CallResult } from './ghz-report.ts';

const result = (ms: number, status = 'OK'): CallResult => ({
  latencyNs: Math.round(ms * 1e6),
  status,
  error: status === 'OK' ? '' : `rpc error: code = ${status} desc = connection refused`,
  timestamp: new Date('2024-05-01T10:00:00.123Z'),
});

const report = (name = '') =>
  buildReport({
    results: [result(1), result(2), result(3), result(0.5, 'Unavailable')],
    totalNs: 10e6,
    endReason: 'normal',
    countErrors: false,
    name,
    options: { call: 'grpc.health.v1.Health/Check', insecure: true },
    tags: undefined,
    date: new Date('2024-05-01T10:00:01.500Z'),
  });

describe('ghz output', () => {
  const units: [number, string][] = [
    [0, '0 ns'],
    [9_999, '9999 ns'],
    [10_000, '0.01 ms'],
    [1_625_000, '1.62 ms'],
    [1_635_000, '1.64 ms'],
    [999_994_999, '999.99 ms'],
    [999_996_000, '1000.00 ms'],
    [1_000_000_000, '1.00 s'],
    [61_234_000_000, '61.23 s'],
  ];
  for (const [ns, text] of units) {
    it(`writes ${ns}ns as ${text}`, () => assert.equal(formatNanoUnit(ns), text));
  }

  const fixed: [number, number, string][] = [
    // Exact halves go to the even neighbour, as in Go; everything else rounds to nearest.
    [1.625, 2, '1.62'],
    [1.375, 2, '1.38'],
    [0.5, 0, '0'],
    [1.5, 0, '2'],
    [2.675, 2, '2.67'],
    [1.0005, 3, '1.000'],
    [12.3456, 3, '12.346'],
    [-1.625, 2, '-1.62'],
  ];
  for (const [value, digits, text] of fixed) {
    it(`writes ${value} with ${digits} decimals as ${text}`, () =>
      assert.equal(goFixed(value, digits), text));
  }

  it("pads table columns like Go's tabwriter, trailing cells included", () => {
    assert.equal(
      tabulate([
        ['  [OK]', '50 responses'],
        ['  [Unavailable]', '3 responses'],
      ]),
      '  [OK]            50 responses   \n  [Unavailable]   3 responses    \n',
    );
  });

  it('draws the histogram with bars scaled to 40 marks', () => {
    assert.equal(
      formatHistogram([
        { mark: 0.0015, count: 1, frequency: 0.1 },
        { mark: 0.01234, count: 12, frequency: 0.9 },
      ]),
      `  1.500  [1]  |${'∎'.repeat(3)}\n  12.340 [12] |${'∎'.repeat(40)}\n`,
    );
  });

  it("prints the summary as ghz's template does", () => {
    const histogram = [
      '  1.000 [1] |∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎',
      ...[1.2, 1.4, 1.6, 1.8].map(m => `  ${m.toFixed(3)} [0] |`),
      '  2.000 [1] |∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎',
      ...[2.2, 2.4, 2.6, 2.8].map(m => `  ${m.toFixed(3)} [0] |`),
      '  3.000 [1] |∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎',
    ];
    assert.equal(
      formatReport(report(), 'summary'),
      [
        '',
        'Summary:',
        '  Count:\t4',
        '  Total:\t10.00 ms',
        '  Slowest:\t3.00 ms',
        '  Fastest:\t1.00 ms',
        '  Average:\t1.62 ms',
        '  Requests/sec:\t400.00',
        '',
        'Response time histogram:',
        ...histogram,
        '',
        'Latency distribution:',
        '  10 % in 1.00 ms ',
        '  25 % in 1.00 ms ',
        '  50 % in 2.00 ms ',
        '  75 % in 3.00 ms ',
        '  90 % in 3.00 ms ',
        '  95 % in 3.00 ms ',
        '  99 % in 3.00 ms ',
        '',
        'Status code distribution:',
        '  [OK]            3 responses   ',
        '  [Unavailable]   1 responses   ',
        '',
        'Error distribution:',
        '  [1]   rpc error: code = Unavailable desc = connection refused   ',
        '',
        '',
      ].join('\n'),
    );
  });

  it('names the run in the summary when --name is given', () => {
    assert.match(
      formatReport(report('smoke'), 'summary'),
      /^\nSummary:\n {2}Name:\t\tsmoke\n {2}Count:\t4\n/,
    );
  });

  it('writes one csv row per call', () => {
    assert.equal(
      formatReport(report(), 'csv'),
      '\nduration (ms),status,error\n1.00,OK,\n2.00,OK,\n3.00,OK,\n' +
        '0.50,Unavailable,rpc error: code = Unavailable desc = connection refused\n',
    );
  });

  it("writes json with ghz's field names, nanosecond durations and sorted maps", () => {
    const json = JSON.parse(formatReport(report(), 'json')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), [
      'date',
      'endReason',
      'options',
      'count',
      'total',
      'average',
      'fastest',
      'slowest',
      'rps',
      'errorDistribution',
      'statusCodeDistribution',
      'latencyDistribution',
      'histogram',
      'details',
    ]);
    assert.equal(json.date, '2024-05-01T10:00:01Z');
    assert.deepEqual([json.count, json.total, json.fastest, json.slowest], [4, 10e6, 1e6, 3e6]);
    assert.deepEqual(json.statusCodeDistribution, { OK: 3, Unavailable: 1 });
    assert.deepEqual((json.latencyDistribution as unknown[])[0], { percentage: 10, latency: 1e6 });
    assert.deepEqual((json.details as unknown[])[0], {
      timestamp: '2024-05-01T10:00:00.123Z',
      latency: 1e6,
      error: '',
      status: 'OK',
    });
    const pretty = formatReport(report('a<b>&c'), 'pretty');
    assert.match(pretty, /^{\n {2}"date": /);
    assert.match(pretty, /"name": "a\\u003cb\\u003e\\u0026c"/);
  });
});
