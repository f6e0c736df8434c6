import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { compareWithPrimary, judge, primarySide } from './compare.ts';
import type { MetricCheck } from './types.ts';

describe('judge', () => {
  const rate = (compare: object) => ({ name: 'request-success-rate', compare });
  const errors = (compare: object) => ({ name: 'errors', compare });

  it('reads higher as better for the success rate and lower for everything else', () => {
    assert.deepEqual(judge(98, 99, rate({})), { degradation: 1, relative: (1 / 99) * 100, within: false });
    assert.equal(judge(100, 99, rate({})).within, true);
    assert.equal(judge(2, 1, errors({})).within, false);
    assert.equal(judge(0.5, 1, errors({})).within, true);
    assert.equal(judge(2, 1, errors({ better: 'higher' })).within, true);
  });

  it('fails only beyond every tolerance that is set', () => {
    // 0.01 -> 0.03 errors: +200% but only 0.02 absolute.
    assert.equal(judge(0.03, 0.01, errors({ maxRelativeDegradation: 50 })).within, false);
    assert.equal(
      judge(0.03, 0.01, errors({ maxRelativeDegradation: 50, maxAbsoluteDegradation: 0.1 })).within,
      true,
    );
    assert.equal(
      judge(0.3, 0.01, errors({ maxRelativeDegradation: 50, maxAbsoluteDegradation: 0.1 })).within,
      false,
    );
    assert.equal(judge(5, 4, errors({ maxAbsoluteDegradation: 1 })).within, true);
  });

  it('treats any degradation of a zero baseline as infinitely relative', () => {
    assert.deepEqual(judge(1, 0, errors({ maxRelativeDegradation: 1000 })), {
      degradation: 1,
      relative: Infinity,
      within: false,
    });
  });
});

describe('compareWithPrimary', () => {
  const canary: Canary = {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      analysis: { interval: '1m' },
    },
  };
  const passed = (value: number): Extract<MetricCheck, { ok: true }> => ({
    metric: 'errors',
    ok: true,
    verdict: 'Passed',
    value,
    provider: 'prometheus',
    interval: '1m',
  });

  it('runs the primary side with the target renamed, and records its value as the baseline', async () => {
    const seen: string[] = [];
    const result = await compareWithPrimary(
      canary,
      { name: 'errors', compare: { maxAbsoluteDegradation: 1 } },
      passed(1.5),
      {
        check: side => {
          seen.push(side.spec.targetRef.name);
          return Promise.resolve(passed(1));
        },
        samples: () => Promise.resolve(undefined),
      },
    );
    assert.deepEqual(seen, ['podinfo-primary']);
    assert.deepEqual([result.verdict, result.baseline], ['Passed', 1]);
    assert.equal(primarySide(canary).metadata.name, 'podinfo', 'the canary keeps its own name');
  });

  it('judges by a proportion test with method proportion, and cannot without a sample query', async () => {
    const metric = { name: 'errors', compare: { method: 'proportion', sampleQuery: 'q' } } as const;
    const sides = (samples: number | undefined) => ({
      check: () => Promise.resolve(passed(0.5)),
      samples: () => Promise.resolve(samples),
    });
    const worse = await compareWithPrimary(canary, metric, passed(5), sides(2000));
    assert.equal(worse.verdict, 'Failed');
    assert.deepEqual([worse.comparison?.method, worse.comparison?.test], ['proportion', 'z']);
    assert.match(
      worse.message,
      /^Halt podinfo\.test advancement errors 5 is worse than the primary's 0\.5 \(p=[\d.e-]+ < 0\.05, z test\)$/,
    );
    const uncounted = await compareWithPrimary(canary, metric, passed(5), sides(undefined));
    assert.equal(uncounted.verdict, 'Error');
  });

  it('is inconclusive without a primary value, and an error when counting samples fails', async () => {
    const metric = { name: 'errors', compare: { sampleQuery: 'q', minSamples: 10 } };
    const noPrimary = await compareWithPrimary(canary, metric, passed(1), {
      check: () =>
        Promise.resolve({
          metric: 'errors',
          ok: false,
          verdict: 'NoValues',
          message: 'none',
          provider: 'prometheus',
          interval: '1m',
        }),
      samples: () => Promise.resolve(50),
    });
    assert.equal(noPrimary.verdict, 'Inconclusive');
    assert.equal(
      noPrimary.message,
      'Halt podinfo.test advancement errors inconclusive: no value for podinfo-primary to compare with',
    );
    const broken = await compareWithPrimary(canary, metric, passed(1), {
      check: () => Promise.resolve(passed(1)),
      samples: () => Promise.reject(new Error('bad_data')),
    });
    assert.equal(broken.verdict, 'Error');
    assert.equal(broken.message, 'Halt podinfo.test advancement errors sample query failed: bad_data');
  });
});
