import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryAnalysis, CanaryStatus } from '../../api/canary.ts';
import { testCanary } from '../../api/canary.fixture.ts';
import { comparisonText, metricSummary, rangeText } from './describe-render.ts';
import { currentStep, stateOf } from './describe.ts';
import { canaryColumns, canaryRow } from './get.ts';
import { cellText, palette } from './table.ts';
import { computePlan } from './timeline.ts';

const canary = (status: CanaryStatus, analysis: Partial<CanaryAnalysis> = {}) =>
  testCanary({ spec: { analysis: { stepWeight: 20, maxWeight: 60, ...analysis } }, status });

describe('describe', () => {
  it('says where the release is', () => {
    const at = (status: CanaryStatus, analysis = {}) => {
      const c = canary(status, analysis);
      return currentStep(computePlan(c, { meshProvider: 'istio' }), c);
    };
    assert.equal(at({ phase: 'Progressing', canaryWeight: 40 }), 'step 2 of 3 (canary weight 40)');
    assert.equal(at({ phase: 'Progressing', iterations: 2 }, { iterations: 5 }), 'iteration 2 of 5');
    assert.equal(
      at({ phase: 'Progressing', canaryWeight: 0 }),
      'starting: the first step comes at the next tick',
    );
    assert.equal(at({ phase: 'WaitingPromotion' }), 'analysis done: waiting for confirm-promotion');
    assert.equal(at({ phase: 'Promoting' }), 'analysis done: the primary is being updated');
    assert.equal(at({ phase: 'Succeeded' }), undefined);
  });

  it('summarises metrics, ranges and generated objects', () => {
    assert.equal(
      metricSummary({ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }),
      'request-success-rate (min 99, 1m)',
    );
    assert.equal(
      metricSummary({ name: 'errors', templateRef: { name: 'errors', namespace: 'flagger' } }),
      'errors (template flagger/errors)',
    );
    assert.equal(rangeText({ min: 99 }), '≥ 99');
    assert.equal(rangeText({ max: 500 }), '≤ 500');
    assert.equal(rangeText({ min: 1, max: 2 }), '1 – 2');
    assert.equal(rangeText({}), '-');
    assert.equal(
      stateOf({
        kind: 'Deployment',
        spec: { replicas: 2, selector: {}, template: {} },
        status: { readyReplicas: 1 },
      } as never),
      '1/2 ready',
    );
    assert.equal(
      stateOf({ kind: 'Service', spec: { selector: { app: 'podinfo-primary' } } } as never),
      'selector app=podinfo-primary',
    );
  });
});

describe('get rows', () => {
  it('show phase, weight, failed checks, iterations and the last transition', () => {
    const c = canary({
      phase: 'Progressing',
      canaryWeight: 20,
      failedChecks: 1,
      lastTransitionTime: '2026-01-01T10:00:00Z',
    });
    assert.deepEqual(canaryRow(c, true, palette(false)).map(cellText), [
      'test',
      'podinfo',
      'Progressing',
      '20',
      '1',
      '0',
      '2026-01-01T10:00:00Z',
    ]);
    assert.deepEqual(canaryRow(c, false, palette(false), true).map(cellText).slice(0, 2), [
      'podinfo',
      'Deleted',
    ]);
    assert.deepEqual(canaryRow(canary({}), false, palette(false)).map(cellText).slice(1, 2), ['Unknown']);
    assert.deepEqual(
      canaryColumns(true).map(c => c.header),
      ['NAMESPACE', 'NAME', 'PHASE', 'WEIGHT', 'FAILED', 'ITERATIONS', 'LAST TRANSITION'],
    );
  });
});

describe('comparison evidence', () => {
  it('shows the method, both sample sizes, the effect with its interval and the p-value', () => {
    const check = {
      metric: 'request-success-rate',
      provider: 'prometheus',
      interval: '1m',
      verdict: 'Failed' as const,
      time: '2026-01-01T00:00:00Z',
    };
    assert.equal(comparisonText(check), '');
    assert.equal(
      comparisonText({
        ...check,
        method: 'proportion',
        test: 'z',
        canarySamples: 1200,
        primarySamples: 1180,
        effect: -4.5123,
        effectInterval: [-5.7111, -3.3222],
        pValue: 0.000012345,
      }),
      '; proportion (z) n 1200/1180, effect -4.51 [-5.71, -3.32], p 0.0000123',
    );
  });
});
