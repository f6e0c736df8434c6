import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from './duration.ts';

describe('parseDuration (Go time.ParseDuration)', () => {
  const valid: [string, number][] = [
    ['0', 0],
    ['-0', 0],
    ['1s', 1000],
    ['30s', 30_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1h2m3s', 3_723_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1.s', 1000],
    ['250ms', 250],
    ['1ms', 1],
    ['1500us', 1.5],
    ['2µs', 0.002],
    ['2μs', 0.002],
    ['100ns', 0.0001],
    ['1.1s', 1100],
    ['+5s', 5000],
    ['-1m', -60_000],
    ['10s500ms', 10_500],
  ];
  for (const [text, ms] of valid) {
    it(`parses ${JSON.stringify(text)} as ${ms}ms`, () => assert.equal(parseDuration(text), ms));
  }

  const invalid = [
    '',
    '-',
    '1',
    '10',
    's',
    '.s',
    '.',
    '1x',
    '1mss',
    '1m1',
    '1 m',
    'm1',
    '1e3s',
    '1h-1m',
    '01',
    'abc',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseDuration(text), undefined));
  }

  it('rejects durations beyond Go int64 nanoseconds', () => {
    assert.equal(parseDuration('2562047h'), 2562047 * 3_600_000);
    assert.equal(parseDuration('2562048h'), undefined);
  });
});

describe('formatDuration (Go time.Duration.String)', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [0.0001, '100ns'],
    [0.0015, '1.5µs'],
    [1, '1ms'],
    [500, '500ms'],
    [1.5, '1.5ms'],
    [1000, '1s'],
    [1515, '1.515s'],
    [60_000, '1m0s'],
    [90_000, '1m30s'],
    [61_500, '1m1.5s'],
    [3_600_000, '1h0m0s'],
    [3_723_000, '1h2m3s'],
    [-1500, '-1.5s'],
  ];
  for (const [ms, text] of cases) {
    it(`formats ${ms}ms as ${text}`, () => assert.equal(formatDuration(ms), text));
  }

  it('round-trips through parseDuration', () => {
    for (const text of ['1m30s', '1.515s', '250ms', '1h0m0s']) {
      assert.equal(formatDuration(parseDuration(text)!), text);
    }
  });
});
