import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationLimits, findViolation, metricLimits } from './thresholds.ts';

describe('metricLimits', () => {
  it('uses thresholdRange when present, ignoring the legacy threshold', () => {
    assert.deepEqual(metricLimits({ threshold: 5, thresholdRange: { min: 1, max: 9 } }, 'min'), {
      min: 1,
      max: 9,
    });
    assert.deepEqual(metricLimits({ threshold: 5, thresholdRange: {} }, 'max'), {});
  });

  it('reads the legacy threshold as a minimum or a maximum', () => {
    assert.deepEqual(metricLimits({ threshold: 99 }, 'min'), { min: 99 });
    assert.deepEqual(metricLimits({ threshold: 500 }, 'max'), { max: 500 });
  });

  it('defaults the legacy threshold to 0, as Go does', () => {
    assert.deepEqual(metricLimits({}, 'max'), { max: 0 });
    assert.deepEqual(metricLimits({}, 'min'), { min: 0 });
  });
});

describe('findViolation', () => {
  const cases: [number, { min?: number; max?: number }, ReturnType<typeof findViolation>][] = [
    [98.5, { min: 99 }, { op: '<', limit: 99 }],
    [99, { min: 99 }, undefined],
    [501, { max: 500 }, { op: '>', limit: 500 }],
    [500, { max: 500 }, undefined],
    [5, { min: 10, max: 1 }, { op: '<', limit: 10 }],
    [50, { min: 10, max: 100 }, undefined],
    [-1, {}, undefined],
    [Infinity, { max: 1 }, { op: '>', limit: 1 }],
  ];
  for (const [value, limits, expected] of cases) {
    it(`${value} against ${JSON.stringify(limits)}`, () =>
      assert.deepEqual(findViolation(value, limits), expected));
  }
});

describe('durationLimits', () => {
  it('truncates bounds to whole milliseconds like time.Duration(x)', () => {
    assert.deepEqual(durationLimits({ min: 99.9, max: 500.7 }), { min: 99, max: 500 });
    assert.deepEqual(durationLimits({ max: 3 }), { max: 3 });
    assert.deepEqual(durationLimits({}), {});
  });
});
