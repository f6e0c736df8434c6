import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import type { MetricCheck } from '../metrics/types.ts';
import { failedChecksSummary } from './explain.ts';
import {
  markRunStart,
  mergeFields,
  recordMetricChecks,
  setCounter,
  setPhase,
  setValidation,
  syncStatus,
  VALIDATED_CONDITION,
} from './status.ts';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';

function canary(status: Canary['status'] = {}, iterations?: number): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      analysis: { interval: '1m', threshold: 5, ...(iterations ? { iterations } : { stepWeight: 10 }) },
    },
    status,
  };
}

describe('setPhase', () => {
  it('keeps weight and iterations while Progressing or Waiting', () => {
    for (const phase of ['Progressing', 'Waiting'] as const) {
      const status = setPhase(phase)(canary({ canaryWeight: 30, iterations: 2 }), T0);
      assert.equal(status.canaryWeight, 30);
      assert.equal(status.iterations, 2);
    }
  });

  it('resets weight and iterations in every other phase', () => {
    for (const phase of ['Promoting', 'Finalising', 'Succeeded', 'Failed', 'Initialized'] as const) {
      const status = setPhase(phase)(canary({ canaryWeight: 30, iterations: 2 }), T0);
      assert.deepEqual([status.phase, status.canaryWeight, status.iterations], [phase, 0, 0]);
    }
  });

  it('WaitingPromotion keeps iterations one short of the analysis iterations', () => {
    const status = setPhase('WaitingPromotion')(canary({ canaryWeight: 100, iterations: 5 }, 5), T0);
    assert.deepEqual([status.canaryWeight, status.iterations], [0, 4]);
  });

  it('records the applied spec as promoted on Succeeded and Initialized only', () => {
    const base = canary({ lastAppliedSpec: 'new', lastPromotedSpec: 'old' });
    assert.equal(setPhase('Succeeded')(base, T0).lastPromotedSpec, 'new');
    assert.equal(setPhase('Failed')(base, T0).lastPromotedSpec, 'old');
  });

  it("sets the Promoted condition with Flagger's messages", () => {
    const [condition] = setPhase('Failed')(canary(), T0).conditions ?? [];
    assert.deepEqual(condition, {
      type: 'Promoted',
      status: 'False',
      reason: 'Failed',
      message: 'Canary analysis failed, Deployment scaled to zero.',
      lastUpdateTime: T0,
      lastTransitionTime: T0,
    });
  });

  it("keeps the condition's transition time while its status stays the same", () => {
    const progressing = canary({ conditions: setPhase('Progressing')(canary(), T0).conditions });
    const [condition] = setPhase('Promoting')(progressing, T1).conditions ?? [];
    assert.deepEqual(
      [condition?.reason, condition?.lastUpdateTime, condition?.lastTransitionTime],
      ['Promoting', T1, T0],
    );
  });
});

describe('syncStatus', () => {
  it('overwrites the counters and records the revision', () => {
    const status = syncStatus(
      { phase: 'Progressing' },
      { specHash: 'h2', trackedConfigs: { 'configmap/a': 'c1' } },
    )(canary({ canaryWeight: 40, failedChecks: 2, iterations: 1, lastPromotedSpec: 'h1' }), T0);
    assert.deepEqual(
      [status.phase, status.canaryWeight, status.failedChecks, status.iterations, status.lastAppliedSpec],
      ['Progressing', 0, 0, 0, 'h2'],
    );
    assert.equal(status.lastPromotedSpec, 'h1');
    assert.deepEqual(status.trackedConfigs, { 'configmap/a': 'c1' });
  });

  it('records the revision as promoted when Initialized', () => {
    const status = syncStatus({ phase: 'Initialized' }, { specHash: 'h1', trackedConfigs: {} })(canary(), T0);
    assert.equal(status.lastPromotedSpec, 'h1');
  });
});

describe('mergeFields', () => {
  it('sets router fields and removes cleared ones instead of writing null', () => {
    const status = mergeFields({
      sessionAffinityCookie: 'c=new',
      previousSessionAffinityCookie: '',
      primarySessionAffinityCookie: null as unknown as string,
    })(
      canary({
        sessionAffinityCookie: 'c=old',
        previousSessionAffinityCookie: 'c=older',
        primarySessionAffinityCookie: 'p=1',
      }),
      T0,
    );
    assert.deepEqual(status, { sessionAffinityCookie: 'c=new' });
  });
});

describe('setCounter and setValidation', () => {
  it('sets one counter', () => {
    assert.equal(setCounter('failedChecks', 3)(canary({ failedChecks: 2 }), T0).failedChecks, 3);
  });

  it('adds, keeps and removes the Validated condition next to Promoted', () => {
    const promoted = setPhase('Initialized')(canary(), T0);
    const invalid = setValidation(['spec.analysis.stepWeights[1] must be greater'])(canary(promoted), T1);
    assert.deepEqual(
      invalid.conditions?.map(c => [c.type, c.status]),
      [
        ['Promoted', 'True'],
        [VALIDATED_CONDITION, 'False'],
      ],
    );
    const valid = setValidation([])(canary(invalid), T1);
    assert.deepEqual(
      valid.conditions?.map(c => c.type),
      ['Promoted'],
    );
  });
});

describe('the decision record', () => {
  const passed = (value: number): MetricCheck => ({
    metric: 'request-success-rate',
    ok: true,
    verdict: 'Passed',
    value,
    provider: 'prometheus',
    query: 'sum(\n  rate(x[1m])\n)',
    interval: '1m',
    min: 99,
  });
  const failed = (metric: string, message: string, value?: number): MetricCheck => ({
    metric,
    ok: false,
    verdict: value === undefined ? 'NoValues' : 'Failed',
    message,
    provider: 'datadog',
    interval: '5m',
    max: 1,
    ...(value !== undefined && { value }),
  });

  it('appends checks with the time, collapses queries and keeps only the newest', () => {
    let status = recordMetricChecks([passed(99.5)], 3)(canary(), T0);
    assert.deepEqual(status.metricChecks, [
      {
        metric: 'request-success-rate',
        provider: 'prometheus',
        query: 'sum( rate(x[1m]) )',
        interval: '1m',
        value: 99.5,
        min: 99,
        verdict: 'Passed',
        time: T0,
      },
    ]);
    status = recordMetricChecks([passed(1), passed(2), failed('errors', 'Halt', 3)], 3)(canary(status), T1);
    assert.deepEqual(
      status.metricChecks?.map(c => [c.value, c.verdict, c.message, c.time]),
      [
        [1, 'Passed', undefined, T1],
        [2, 'Passed', undefined, T1],
        [3, 'Failed', 'Halt', T1],
      ],
    );
  });

  it('keeps no NaN or infinite value, which JSON cannot hold', () => {
    const status = recordMetricChecks([failed('errors', 'Halt NaN', Number.NaN)])(canary(), T0);
    assert.equal(status.metricChecks?.[0]?.value, undefined);
    assert.equal(status.metricChecks?.[0]?.message, 'Halt NaN');
  });

  it("records a statistical comparison's evidence, leaving out what JSON cannot hold", () => {
    const evidence = { method: 'proportion', canarySamples: 12, primarySamples: 3000 } as const;
    const compared: MetricCheck = {
      metric: 'request-success-rate',
      ok: false,
      verdict: 'Inconclusive',
      message: 'Halt inconclusive',
      provider: 'prometheus',
      interval: '1m',
      comparison: { ...evidence, test: 'fisher', effect: 1, effectInterval: [-Infinity, 2], pValue: 0.5 },
    };
    const [check] = recordMetricChecks([compared])(canary(), T0).metricChecks ?? [];
    assert.deepEqual(
      [check?.method, check?.test, check?.canarySamples, check?.primarySamples, check?.effect, check?.pValue],
      ['proportion', 'fisher', 12, 3000, 1, 0.5],
    );
    assert.equal(check?.effectInterval, undefined);
  });

  it('is dropped when a new run starts', () => {
    const status = recordMetricChecks([passed(99.5)])(canary(), T0);
    assert.equal(markRunStart()(canary(status), T1).metricChecks, undefined);
  });

  it('explains a rollback with each distinct failure once', () => {
    const status = recordMetricChecks([
      passed(99.9),
      failed('errors', 'Halt podinfo.test advancement errors 3.00 > 1', 3),
      failed('errors', 'Halt podinfo.test advancement errors 3.00 > 1', 3),
      failed('latency', 'Halt advancement no values found for custom metric: latency: no values found'),
    ])(canary(), T0);
    assert.equal(
      failedChecksSummary(status),
      'errors (datadog) failed 2 times: Halt podinfo.test advancement errors 3.00 > 1; ' +
        'latency (datadog) returned no values: Halt advancement no values found for custom metric: latency: no values found',
    );
    assert.equal(failedChecksSummary(recordMetricChecks([passed(100)])(canary(), T0)), undefined);
  });
});
