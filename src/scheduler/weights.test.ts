import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextCanaryRoutes, nextPromotionRoutes, nextStepWeight } from './weights.ts';

const routes = (primaryWeight: number, canaryWeight: number, mirrored = false) => ({
  primaryWeight,
  canaryWeight,
  mirrored,
});

describe('nextStepWeight', () => {
  const cases: [string, { stepWeight?: number; stepWeights?: number[] }, number, number][] = [
    ['linear step', { stepWeight: 10 }, 30, 10],
    ['no steps at all', {}, 0, 0],
    ['stepWeight wins over stepWeights', { stepWeight: 5, stepWeights: [10, 50] }, 0, 5],
    ['first of stepWeights', { stepWeights: [1, 5, 20, 50] }, 0, 1],
    ['difference to the next entry', { stepWeights: [1, 5, 20, 50] }, 5, 15],
    ['capped by what is left to 100', { stepWeights: [60, 120] }, 60, 40],
    ['a weight between entries takes the rest', { stepWeights: [10, 50] }, 30, 70],
    ['the last entry takes the rest', { stepWeights: [10, 50] }, 50, 50],
    ['at 100 a step of 1 moves on to promotion', { stepWeights: [50, 100] }, 100, 1],
  ];
  for (const [name, analysis, weight, expected] of cases) {
    it(name, () => assert.equal(nextStepWeight(analysis, weight), expected));
  }
});

describe('nextCanaryRoutes', () => {
  it('shifts one step from the primary to the canary', () => {
    assert.deepEqual(nextCanaryRoutes({ stepWeight: 10 }, routes(70, 30)), routes(60, 40));
  });

  it('never goes below 0 or above 100', () => {
    assert.deepEqual(nextCanaryRoutes({ stepWeight: 30 }, routes(20, 80)), routes(0, 100));
  });

  it('mirrors first, then shifts, when mirroring is on', () => {
    const analysis = { stepWeight: 10, mirror: true };
    assert.deepEqual(nextCanaryRoutes(analysis, routes(100, 0)), routes(100, 0, true));
    assert.deepEqual(nextCanaryRoutes(analysis, routes(100, 0, true)), routes(90, 10));
    assert.deepEqual(nextCanaryRoutes(analysis, routes(90, 10)), routes(80, 20));
  });
});

describe('nextPromotionRoutes', () => {
  it('moves weight back to the primary without overshooting', () => {
    assert.deepEqual(nextPromotionRoutes(20, routes(50, 50)), routes(70, 30));
    assert.deepEqual(nextPromotionRoutes(40, routes(80, 20)), routes(100, 0));
  });
});
