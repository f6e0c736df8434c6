import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeProportion } from './compare-proportion.ts';

describe('judgeProportion', () => {
  it('fails a success rate significantly below the primary, with the evidence', () => {
    const judged = judgeProportion(
      { value: 95, baseline: 99.5, canary: 1200, primary: 1200 },
      { method: 'proportion' },
      'higher',
    );
    assert.equal(judged.verdict, 'Failed');
    assert.match(judged.why ?? '', /^p=[\d.e-]+ < 0\.05, z test$/);
    const { effect = 0, effectInterval = [0, 0], pValue = 1 } = judged.facts;
    assert.ok(Math.abs(effect - -4.5) < 1e-9, String(effect));
    assert.ok(effectInterval[0] < -4.5 && -4.5 < effectInterval[1] && effectInterval[1] < 0);
    assert.ok(pValue < 1e-9);
    assert.equal(judged.facts.canarySamples, 1200);
  });

  it('passes an equal canary with enough requests, whichever way is better', () => {
    const sides = { value: 1, baseline: 1, canary: 20_000, primary: 20_000 };
    // 1% errors: catching +50% (1.5%) needs about 6,100 requests a side; +10% would need about 128,000.
    assert.equal(judgeProportion(sides, { method: 'proportion', minEffect: 50 }, 'lower').verdict, 'Passed');
    assert.equal(judgeProportion(sides, { method: 'proportion' }, 'lower').verdict, 'Inconclusive');
    const success = { value: 99, baseline: 99, canary: 20_000, primary: 20_000 };
    assert.equal(judgeProportion(success, { method: 'proportion' }, 'higher').verdict, 'Passed');
  });

  it('is inconclusive when too few canary requests could show minEffect, and says how many more', () => {
    // Primary 1% bad of 3000; minEffect 10% of 99% success: a canary at 89.1%, i.e. 10.9% bad. One-sided 0.05
    // and power 0.8 need (z.95 + z.8)^2 (0.109 * 0.891 + 0.01 * 0.99 / 250) / 0.099^2 = 61.3 canary requests.
    const judged = judgeProportion(
      { value: 100, baseline: 99, canary: 12, primary: 3000 },
      { method: 'proportion', minEffect: 10 },
      'higher',
    );
    const required = ((1.644854 + 0.841621) ** 2 * (0.109 * 0.891 + (0.01 * 0.99) / 250)) / 0.099 ** 2;
    assert.equal(judged.verdict, 'Inconclusive');
    assert.equal(judged.why, `need about ${String(Math.ceil(required - 12))} more requests`);
    assert.equal(judged.why, 'need about 50 more requests');
  });

  it('still fails a canary that is clearly worse on few requests (Fisher)', () => {
    const judged = judgeProportion(
      { value: 50, baseline: 99.9, canary: 10, primary: 3000 },
      { method: 'proportion' },
      'higher',
    );
    assert.equal(judged.verdict, 'Failed');
    assert.equal(judged.facts.test, 'fisher');
  });

  it('is inconclusive without canary requests', () => {
    const judged = judgeProportion(
      { value: 0, baseline: 1, canary: 0, primary: 3000 },
      { method: 'proportion' },
      'lower',
    );
    assert.equal(judged.verdict, 'Inconclusive');
    assert.match(judged.why ?? '', /^need about \d+ more requests$/);
  });
});
