import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCanary, type CanaryOverrides } from '../../api/canary.fixture.ts';
import type { CanaryAnalysis, CanaryWebhook } from '../../api/canary.ts';
import { computePlan, currentTick, diffPlans, ordinal, stepLabels, type Plan } from './timeline.ts';

const plan = (analysis: Partial<CanaryAnalysis>, spec: CanaryOverrides['spec'] = {}) =>
  computePlan(testCanary({ spec: { ...spec, analysis } }), { meshProvider: 'istio' });

/** "action primary/canary[m] phase" per tick, compact enough to compare whole timelines. */
const shape = (p: Plan) =>
  p.ticks.map(
    t =>
      `${t.action} ${t.routes.primaryWeight}/${t.routes.canaryWeight}${t.routes.mirrored ? 'm' : ''} ${t.phase}` +
      (t.iteration === undefined ? '' : ` i${t.iteration}`),
  );

const advances = (p: Plan) => p.ticks.flatMap(t => t.event ?? []).filter(e => e.startsWith('Advance'));

const hook = (name: string, type: CanaryWebhook['type']): CanaryWebhook => ({
  name,
  type,
  url: 'http://loadtester.test/',
});

describe('plan: canary strategy', () => {
  it('linear steps: 20, 40, 60 then promotion, with the controller events', () => {
    const p = plan({ stepWeight: 20, maxWeight: 50, threshold: 5 });
    assert.deepEqual(p.weights, [20, 40, 60]);
    assert.equal(p.steps, 3);
    assert.deepEqual(shape(p), [
      'start 100/0 Progressing',
      'step 80/20 Progressing',
      'step 60/40 Progressing',
      'step 40/60 Progressing',
      'promote 40/60 Promoting',
      'promotion-step 100/0 Finalising',
      'finalise 100/0 Succeeded',
    ]);
    assert.deepEqual(advances(p), [
      'Advance podinfo.test canary weight 20',
      'Advance podinfo.test canary weight 40',
      'Advance podinfo.test canary weight 60',
    ]);
    assert.equal(p.ticks[0]?.event, 'New revision detected! Scaling up podinfo.test');
    assert.equal(p.ticks[4]?.event, 'Copying podinfo.test template spec to podinfo-primary.test');
  });

  it('times: interval × steps of analysis, interval × threshold to roll back', () => {
    const p = plan({ stepWeight: 2, maxWeight: 50, threshold: 10 });
    assert.equal(p.steps, 25);
    // Flagger's docs: interval * (maxWeight / stepWeight) = 25 minutes of analysis.
    assert.equal(p.analysisMs, 25 * 60_000);
    assert.equal(p.promotionAtMs, 26 * 60_000);
    assert.equal(p.succeededAtMs, 28 * 60_000);
    assert.equal(p.rollbackAfterMs, 10 * 60_000);
    assert.equal(p.earliestRollbackAtMs, undefined, 'no metrics and no hooks: nothing can fail');
    assert.ok(p.remarks.some(r => r.startsWith('No metrics and no pre-rollout or rollout webhooks')));
    const checked = plan({
      stepWeight: 2,
      maxWeight: 50,
      threshold: 10,
      metrics: [{ name: 'request-success-rate' }],
    });
    // Metrics are first checked on the second step (tick 2): ten failures later, the rollback.
    assert.equal(checked.earliestRollbackAtMs, 12 * 60_000);
  });

  it('stepWeights: the listed weights, the last one promotes', () => {
    const p = plan({ stepWeights: [10, 30, 60] });
    assert.deepEqual(p.weights, [10, 30, 60]);
    assert.equal(p.maxWeight, 60);
    assert.deepEqual(plan({ stepWeights: [1, 2, 10, 80] }).weights, [1, 2, 10, 80]);
    assert.deepEqual(stepLabels(p), ['10%', '30%', '60%']);
  });

  it('a stepWeight wins over stepWeights, up to the last stepWeights entry, as in the controller', () => {
    assert.deepEqual(plan({ stepWeight: 25, stepWeights: [10, 30, 60] }).weights, [25, 50, 75]);
  });

  it('mirroring: the first step only mirrors, without confirm-traffic-increase before the next', () => {
    const p = plan({
      stepWeight: 10,
      maxWeight: 30,
      mirror: true,
      webhooks: [hook('gate', 'confirm-traffic-increase')],
    });
    assert.deepEqual(p.weights, [0, 10, 20, 30]);
    assert.deepEqual(shape(p).slice(1, 3), ['step 100/0m Progressing', 'step 90/10 Progressing']);
    const gated = p.ticks.map(t => t.runs.some(r => r.kind === 'confirm-traffic-increase'));
    assert.deepEqual(gated, [false, true, false, true, true, false, false, false]);
    assert.equal(p.mirror, true);
    assert.deepEqual(stepLabels(p), ['mirror', '10%', '20%', '30%']);
  });

  it('stepWeightPromotion: traffic goes back to the primary step by step', () => {
    const p = plan({ stepWeight: 25, maxWeight: 50, stepWeightPromotion: 20 });
    assert.deepEqual(
      p.ticks.filter(t => t.action === 'promotion-step').map(t => t.event),
      [
        'Advance podinfo.test primary weight 70',
        'Advance podinfo.test primary weight 90',
        'Advance podinfo.test primary weight 100',
      ],
    );
    assert.equal(p.ticks.at(-2)?.phase, 'Finalising');
  });

  it('no step weight: the analysis never advances', () => {
    const p = plan({ stepWeight: 0 });
    assert.equal(p.promotes, false);
    assert.equal(p.succeededAtMs, undefined);
    assert.ok(p.remarks.some(r => r.includes('never advances')));
  });
});

describe('plan: hooks', () => {
  const webhooks = [
    hook('approve', 'confirm-rollout'),
    hook('smoke', 'pre-rollout'),
    hook('load', 'rollout'),
    hook('more', 'confirm-traffic-increase'),
    hook('ship', 'confirm-promotion'),
    hook('notify', 'post-rollout'),
    hook('stop', 'rollback'),
  ];
  const runs = (p: Plan) =>
    p.ticks.map(t => t.runs.map(r => (r.kind === 'metrics' ? 'metrics' : r.names.join(','))).join('+'));

  it('runs each hook type where the controller does', () => {
    const p = plan({ stepWeight: 50, maxWeight: 100, webhooks, metrics: [{ name: 'request-success-rate' }] });
    assert.deepEqual(runs(p), [
      'approve',
      'smoke+more',
      'load+metrics+more',
      'load+metrics+ship',
      '',
      'notify',
    ]);
    assert.ok(p.remarks.some(r => r.startsWith('rollback stop: asked on every analysis tick')));
    assert.ok(p.remarks.some(r => r.startsWith('confirm-promotion ship')));
    // The pre-rollout hook can fail on tick 1: a threshold of 1 rolls back on tick 2.
    assert.equal(p.earliestRollbackAtMs, 2 * 60_000);
  });

  it('blue/green asks confirm-promotion before routing all traffic to the canary', () => {
    const p = plan({ iterations: 2, webhooks });
    assert.deepEqual(runs(p), ['approve', 'smoke', 'load', 'load+ship', 'load', '', 'notify']);
  });
});

describe('plan: A/B testing and blue/green', () => {
  it('A/B testing: matching requests go to the canary for each iteration', () => {
    const p = plan({ iterations: 3, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] });
    assert.equal(p.strategy, 'ab-testing');
    assert.equal(p.steps, 3);
    assert.deepEqual(
      advances(p),
      [1, 2, 3].map(i => `Advance podinfo.test canary iteration ${i}/3`),
    );
    assert.deepEqual(shape(p), [
      'start 100/0 Progressing',
      'step 0/100 Progressing i1',
      'step 0/100 Progressing i2',
      'step 0/100 Progressing i3',
      'promote 0/100 Promoting',
      'promotion-step 100/0 Finalising',
      'finalise 100/0 Succeeded',
    ]);
    // interval * iterations of analysis.
    assert.equal(p.analysisMs, 3 * 60_000);
    assert.equal(p.mirror, false);
  });

  it('blue/green: iterations, one tick with all traffic on the canary, then the promotion', () => {
    const p = plan({ iterations: 3, threshold: 2 });
    assert.equal(p.strategy, 'blue-green');
    assert.deepEqual(shape(p), [
      'start 100/0 Progressing',
      'step 100/0 Progressing i1',
      'step 100/0 Progressing i2',
      'step 100/0 Progressing i3',
      'switch 0/100 Progressing i4',
      'promote 0/100 Promoting',
      'promotion-step 100/0 Finalising',
      'finalise 100/0 Succeeded',
    ]);
    assert.equal(p.ticks[4]?.event, 'Routing all traffic to canary');
    assert.equal(p.rollbackAfterMs, 2 * 60_000);
  });

  it('blue/green with mirroring: traffic is mirrored from the first iteration', () => {
    const p = plan({ iterations: 2, mirror: true });
    assert.deepEqual(shape(p).slice(1, 4), [
      'step 100/0m Progressing i1',
      'step 100/0m Progressing i2',
      'switch 0/100 Progressing i3',
    ]);
    assert.equal(p.ticks[3]?.event, 'Stop traffic mirroring and route all traffic to canary');
  });

  it('the kubernetes provider: blue/green with 10 iterations at least and no traffic to shift', () => {
    const p = plan({ stepWeight: 10 }, { provider: 'kubernetes' });
    assert.equal(p.strategy, 'blue-green');
    assert.equal(p.iterations, 10);
    assert.equal(p.steps, 10);
    assert.ok(p.ticks.every(t => t.routes.primaryWeight === 100));
    assert.ok(p.remarks.some(r => r.includes('10 iterations')));
  });
});

describe('plan: other settings', () => {
  it('skipAnalysis promotes on the tick after the detection', () => {
    const p = plan({ stepWeight: 10 }, { skipAnalysis: true });
    assert.deepEqual(shape(p), ['start 100/0 Progressing', 'skip-analysis 100/0 Succeeded']);
    assert.equal(p.succeededAtMs, 60_000);
    assert.equal(p.earliestRollbackAtMs, undefined);
  });

  it('analysis.delay holds the traffic until the delay has passed', () => {
    const p = plan({
      interval: '30s',
      stepWeight: 50,
      delay: '2m',
      metrics: [{ name: 'request-success-rate' }],
    });
    assert.deepEqual(
      p.ticks.map(t => t.action),
      ['start', 'step', 'hold', 'hold', 'step', 'promote', 'promotion-step', 'finalise'],
    );
    assert.equal(p.delayMs, 120_000);
    assert.deepEqual(
      p.ticks.filter(t => t.action === 'hold').map(t => t.event),
      ['Delaying analysis of podinfo.test for 1m0s', 'Delaying analysis of podinfo.test for 30s'],
    );
  });

  it('the interval is raised to the controller minimum, which -min-analysis-interval lowers', () => {
    assert.equal(plan({ interval: '2s', stepWeight: 50 }).intervalMs, 10_000);
    const fast = computePlan(testCanary({ spec: { analysis: { interval: '2s', stepWeight: 50 } } }), {
      meshProvider: 'istio',
      minIntervalMs: 1000,
    });
    assert.equal(fast.intervalMs, 2000);
    assert.ok(plan({ interval: '2s', stepWeight: 50 }).remarks.some(r => r.includes('below the controller')));
  });

  it('ordinals', () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal), [
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
    ]);
  });
});

describe('currentTick', () => {
  const p = plan({ stepWeight: 20, maxWeight: 60 });
  it('finds the step of a progressing canary by its weight', () => {
    assert.equal(currentTick(p, { phase: 'Progressing', canaryWeight: 40 })?.step, 2);
    assert.equal(currentTick(p, { phase: 'Progressing', canaryWeight: 0 })?.action, 'start');
    assert.equal(currentTick(p, { phase: 'Promoting' })?.action, 'promote');
    assert.equal(currentTick(p, { phase: 'Finalising' })?.action, 'promotion-step');
    assert.equal(currentTick(p, { phase: 'Succeeded' }), undefined);
    assert.equal(currentTick(p, undefined), undefined);
  });

  it('finds the iteration of A/B and blue/green canaries', () => {
    const bg = plan({ iterations: 3 });
    assert.equal(currentTick(bg, { phase: 'Progressing', iterations: 2 })?.step, 2);
    assert.equal(currentTick(bg, { phase: 'WaitingPromotion', iterations: 2 })?.action, 'switch');
  });
});

describe('diffPlans', () => {
  it('names the settings, the steps added and removed and the change in time', () => {
    const before = plan({ stepWeight: 20, maxWeight: 60, threshold: 5 });
    const after = plan({
      stepWeight: 10,
      maxWeight: 60,
      threshold: 2,
      webhooks: [hook('load', 'rollout')],
    });
    const diff = diffPlans(before, after);
    assert.deepEqual(diff.settings, [
      { field: 'threshold', before: '5', after: '2' },
      { field: 'stepWeight', before: '20', after: '10' },
    ]);
    assert.deepEqual(diff.added, ['10%', '30%', '50%']);
    assert.deepEqual(diff.removed, []);
    assert.deepEqual(diff.succeededAtMs, { before: 6 * 60_000, after: 9 * 60_000, changeMs: 3 * 60_000 });
    assert.deepEqual(diff.rollbackAfterMs, { before: 300_000, after: 120_000, changeMs: -180_000 });
    assert.deepEqual(diff.hooks, { added: ['rollout load'], removed: [] });
  });

  it('a strategy change replaces every step', () => {
    const diff = diffPlans(plan({ stepWeights: [50, 100] }), plan({ iterations: 2 }));
    assert.deepEqual(diff.removed, ['50%', '100%']);
    assert.deepEqual(diff.added, ['iteration 1', 'iteration 2']);
    assert.equal(diff.settings[0]?.field, 'strategy');
  });
});
