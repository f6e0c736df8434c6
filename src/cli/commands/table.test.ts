import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fitWidths,
  formatAge,
  formatSpan,
  formatTable,
  palette,
  paragraph,
  truncate,
  wrap,
  type Column,
} from './table.ts';

const columns: Column[] = [
  { header: 'NAME', shrink: 'truncate' },
  { header: 'PHASE' },
  { header: 'WEIGHT', align: 'right' },
  { header: 'MESSAGE', shrink: 'wrap' },
];

describe('formatTable', () => {
  it('aligns columns three spaces apart, numbers to the right, without trailing spaces', () => {
    const lines = formatTable(columns, [
      ['podinfo', 'Progressing', '20', 'Advance podinfo.test canary weight 20'],
      ['frontend', 'Succeeded', '0', ''],
    ]);
    assert.deepEqual(lines, [
      'NAME       PHASE         WEIGHT   MESSAGE',
      'podinfo    Progressing       20   Advance podinfo.test canary weight 20',
      'frontend   Succeeded          0',
    ]);
  });

  it('fits the width: wraps a wrapping column, then cuts a truncating one', () => {
    const rows = [
      ['a-very-long-canary-name', 'Failed', '0', 'Halt podinfo.test advancement success rate 50.00% < 99%'],
    ];
    const lines = formatTable(columns, rows, { maxWidth: 60 });
    // The message wraps to 24 characters first, then the name gives up the rest.
    assert.deepEqual(lines, [
      'NAME              PHASE    WEIGHT   MESSAGE',
      'a-very-long-ca…   Failed        0   Halt podinfo.test',
      '                                    advancement success rate',
      '                                    50.00% < 99%',
    ]);
    const wide = formatTable(columns, rows, { maxWidth: 80 });
    assert.ok(wide.every(line => line.length <= 80));
    assert.match(wide[1] ?? '', /^a-very-long-canary-name {3}Failed {8}0 {3}Halt podinfo\.test advancement$/);
  });

  it('never shrinks a column below its header or eight characters, nor what cannot shrink', () => {
    const widths = fitWidths(columns, [['podinfo-canary', 'WaitingPromotion', '100', 'x'.repeat(50)]], 10);
    assert.deepEqual(widths, [8, 16, 6, 8]);
  });

  it('paints cells on a colour terminal without changing the layout', () => {
    const colors = palette(true);
    const plain = formatTable(columns, [['podinfo', 'Failed', '0', '']]);
    const painted = formatTable(columns, [['podinfo', { text: 'Failed', paint: colors.red }, '0', '']]);
    assert.equal(painted[1], plain[1]?.replace('Failed', '\u001b[31mFailed\u001b[0m'));
    assert.equal(palette(false).red('x'), 'x');
  });

  it('prints rows under an earlier table with its widths and without a header', () => {
    const widths = fitWidths(columns, [['frontend', 'Succeeded', '0', '']], Infinity);
    assert.deepEqual(formatTable(columns, [['api', 'Failed', '5', 'x']], { widths, noHeader: true }), [
      'api        Failed           5   x',
    ]);
  });
});

describe('text helpers', () => {
  it('truncate and wrap', () => {
    assert.equal(truncate('podinfo-primary', 8), 'podinfo…');
    assert.equal(truncate('short', 8), 'short');
    assert.deepEqual(wrap('one two three four', 9), ['one two', 'three', 'four']);
    assert.deepEqual(wrap('abcdefghijkl', 5), ['abcde', 'fghij', 'kl']);
    assert.deepEqual(wrap('', 5), ['']);
  });

  it('paragraph hangs continuation lines under a list prefix', () => {
    assert.deepEqual(paragraph('alpha beta gamma delta epsilon zeta', 24, '  - '), [
      '  - alpha beta gamma',
      '    delta epsilon zeta',
    ]);
    assert.deepEqual(paragraph('one line', Infinity, '  - '), ['  - one line']);
  });

  it('formatAge as kubectl prints ages', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    assert.equal(formatAge('2026-01-01T11:59:15Z', now), '45s');
    assert.equal(formatAge('2026-01-01T11:50:00Z', now), '10m');
    assert.equal(formatAge('2026-01-01T07:00:00Z', now), '5h');
    assert.equal(formatAge('2025-12-29T12:00:00Z', now), '3d');
    assert.equal(formatAge(undefined, now), '');
  });

  it('formatSpan drops zero parts', () => {
    assert.deepEqual([0, 500, 45_000, 60_000, 90_000, 3_600_000, 3_900_000, 3_630_000].map(formatSpan), [
      '0s',
      '500ms',
      '45s',
      '1m',
      '1m30s',
      '1h',
      '1h5m',
      '1h0m30s',
    ]);
  });
});
