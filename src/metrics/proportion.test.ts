import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fisherExactGreater,
  proportionTest,
  rateDifference,
  requiredCanaryRequests,
  zTestGreater,
} from './proportion.ts';

const near = (actual: number, expected: number, tolerance: number): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${String(actual)} is not ${String(expected)}`);

// Physicians' Health Study, myocardial infarctions: placebo 189 of 11034, aspirin 104 of 11037. Agresti, An
// Introduction to Categorical Data Analysis (2nd ed., 2007), sections 2.2.2-2.2.3 and 2.4.5: difference 0.0077
// with 95% Wald interval (0.005, 0.011); Pearson X^2 = 25.0, i.e. z = 5.0.
const aspirin = { canaryBad: 189, canary: 11034, primaryBad: 104, primary: 11037 };

describe('two-proportion tests', () => {
  it('matches the z statistic of a published 2x2 table', () => {
    const { z, pValue } = zTestGreater(aspirin);
    near(z, 5.0, 0.01);
    assert.ok(pValue < 1e-6);
    // The other way round, the canary is better: nothing to catch.
    assert.ok(zTestGreater({ canaryBad: 104, canary: 11037, primaryBad: 189, primary: 11034 }).pValue > 0.99);
  });

  it('matches the published difference of proportions and its interval', () => {
    const { difference, low, high } = rateDifference(aspirin, 0.95);
    near(difference, 0.0077, 0.00005);
    near(low, 0.005, 0.0005);
    near(high, 0.011, 0.0005);
  });

  it("matches Fisher's exact test on the tea-tasting table", () => {
    // Fisher, The Design of Experiments (1935), section 2; Agresti (2007) section 2.6.2: 3 of 4 cups right,
    // one-sided P = 17/70 = 0.243; all 4 right, P = 1/70 = 0.014.
    near(fisherExactGreater({ canaryBad: 3, canary: 4, primaryBad: 1, primary: 4 }), 17 / 70, 1e-12);
    near(fisherExactGreater({ canaryBad: 4, canary: 4, primaryBad: 0, primary: 4 }), 1 / 70, 1e-12);
  });

  it('uses the exact test when an expected count is under 5, else the z-test', () => {
    assert.equal(proportionTest({ canaryBad: 3, canary: 4, primaryBad: 1, primary: 4 }).test, 'fisher');
    assert.equal(proportionTest({ canaryBad: 2, canary: 100, primaryBad: 20, primary: 2000 }).test, 'fisher');
    assert.equal(proportionTest(aspirin).test, 'z');
    assert.equal(proportionTest({ canaryBad: 0, canary: 50, primaryBad: 0, primary: 500 }).pValue, 1);
  });
});

describe('requests needed', () => {
  it('matches a published sample size', () => {
    // Chow, Shao, Wang, Sample Size Calculations in Clinical Research (2nd ed., 2008), section 4.2, test for
    // equality: p 0.65 vs 0.85, alpha 0.05 two-sided (one-sided 0.025), power 80%, equal groups: n = 70.
    assert.equal(Math.ceil(requiredCanaryRequests(0.65, 0.85, 1, 0.975)), 70);
  });

  it('needs fewer canary requests when the primary has more', () => {
    const equal = requiredCanaryRequests(0.01, 0.02, 1, 0.95);
    const tenfold = requiredCanaryRequests(0.01, 0.02, 10, 0.95);
    assert.ok(tenfold < equal);
    near(equal, ((1.6449 + 0.8416) ** 2 * (0.02 * 0.98 + 0.01 * 0.99)) / 0.0001, 2);
  });
});
