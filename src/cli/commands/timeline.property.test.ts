// Property tests of the step arithmetic (scheduler/weights.ts) as the plan replays it (timeline.ts): for any valid
// analysis the weights stay within 0..100 and add up to 100, the canary's weight only grows, the number of steps
// is Flagger's, and the release ends promoted; for any analysis the schema lets through, however absurd, the plan
// is computed and printed without a throw and in a bounded number of ticks. A failure prints the FC_SEED that
// replays it (test/harness/fast-check.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../../test/harness/fast-check.ts';
import { testCanary } from '../../api/canary.fixture.ts';
import type { Canary, CanaryAnalysis } from '../../api/canary.ts';
import { maxWeight } from '../../api/defaults.ts';
import { checkSchema } from '../../api/schema-check.ts';
import { validateCanary } from '../../api/validate.ts';
import { renderPlan } from './plan.ts';
import { palette } from './table.ts';
import { computePlan, type Plan } from './timeline.ts';

const MESH_PROVIDER = 'istio';

type Provider = Canary['spec']['provider'];

function canaryOf(analysis: CanaryAnalysis, provider: Provider): Canary {
  return testCanary({ spec: { ...(provider !== undefined && { provider }), analysis } });
}

const hooks = fc.array(
  fc.record({
    name: fc.string({ minLength: 1, maxLength: 8 }),
    type: fc.constantFrom('pre-rollout', 'rollout', 'confirm-rollout', 'confirm-promotion', 'post-rollout'),
    url: fc.constant('http://loadtester.test/'),
  }),
  { maxLength: 4 },
);

/** Everything but the strategy: timing, threshold, promotion steps, checks. */
const settings = fc.record(
  {
    interval: fc.constantFrom('10s', '30s', '1m', '1m30s', '5m', '1h'),
    threshold: fc.integer({ min: 0, max: 20 }),
    stepWeightPromotion: fc.integer({ min: 0, max: 100 }),
    delay: fc.constantFrom('30s', '2m', '10m'),
    webhooks: hooks,
    metrics: fc.array(fc.constantFrom({ name: 'request-success-rate' }, { name: 'request-duration' }), {
      maxLength: 2,
    }),
  },
  { requiredKeys: ['interval'] },
);

const linear = fc.integer({ min: 1, max: 100 }).chain(step =>
  fc.record(
    { stepWeight: fc.constant(step), maxWeight: fc.integer({ min: step, max: 100 }) },
    {
      requiredKeys: ['stepWeight'],
    },
  ),
);
const listed = fc
  .uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 12 })
  .map(weights => ({ stepWeights: weights.sort((a, b) => a - b) }));
const MATCH: CanaryAnalysis['match'] = [{ headers: { 'x-canary': { exact: 'insider' } } }];
const iterated = fc.record(
  {
    iterations: fc.integer({ min: 1, max: 30 }),
    match: fc.constant(MATCH),
  },
  { requiredKeys: ['iterations'] },
);
const strategy = fc
  .tuple(fc.oneof(linear, listed, iterated), fc.boolean())
  .map(([weights, mirror]) => ({ ...weights, ...(mirror && { mirror }) }));

const provider = fc.constantFrom<Provider[]>(undefined, 'istio', 'linkerd', 'contour', 'kubernetes');

/** Valid canaries only: what the controller would run. */
const validCanary = fc
  .tuple(settings, strategy, provider)
  .map(([rest, steps, name]) => canaryOf({ ...rest, ...steps }, name))
  .filter(
    canary =>
      validateCanary(canary, { noCrossNamespaceRefs: false, meshProvider: MESH_PROVIDER }).length === 0,
  );

/** The canary weights of Flagger's steps, computed from the analysis alone (mirror step first, as 0). */
function expectedWeights(analysis: CanaryAnalysis): number[] {
  const weights = analysis.mirror === true ? [0] : [];
  const { stepWeight = 0, stepWeights = [] } = analysis;
  if (stepWeight <= 0) return [...weights, ...stepWeights];
  for (let weight = 0; weight < maxWeight(analysis); weights.push(weight))
    weight = Math.min(100, weight + stepWeight);
  return weights;
}

const actions = (plan: Plan, action: string) => plan.ticks.filter(t => t.action === action);

describe('canary weights and the plan of a valid canary (property)', () => {
  const plan = (canary: Canary) => computePlan(canary, { meshProvider: MESH_PROVIDER });

  it('keeps every route within 0..100 with the two sides adding up to 100, tick after tick', () => {
    fc.assert(
      fc.property(validCanary, canary => {
        const { ticks, intervalMs } = plan(canary);
        ticks.forEach((tick, index) => {
          const { primaryWeight, canaryWeight } = tick.routes;
          assert.ok(primaryWeight >= 0 && canaryWeight >= 0 && primaryWeight + canaryWeight === 100);
          assert.equal(tick.tick, index);
          assert.equal(tick.atMs, index * intervalMs);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("steps as Flagger does: the weights only grow, up to maxWeight, and the count is Flagger's", () => {
    fc.assert(
      fc.property(validCanary, canary => {
        const result = plan(canary);
        const analysis = canary.spec.analysis;
        const steps = actions(result, 'step');
        assert.equal(result.steps, steps.length);
        assert.deepEqual(
          steps.map(t => t.step),
          steps.map((_, index) => index + 1),
        );
        if (result.strategy !== 'canary') {
          const kubernetes = canary.spec.provider === 'kubernetes';
          assert.equal(
            result.steps,
            kubernetes ? Math.max(analysis.iterations ?? 0, 0) || 10 : analysis.iterations,
          );
          return;
        }
        assert.deepEqual(result.weights, expectedWeights(analysis));
        const shifted = result.weights.filter(weight => weight > 0);
        shifted.forEach((weight, index) => assert.ok(weight > (shifted[index - 1] ?? 0) && weight <= 100));
        assert.ok((shifted.at(-1) ?? 0) >= maxWeight(analysis));
      }),
      { numRuns: 500 },
    );
  });

  it('promotes: back to the primary in stepWeightPromotion steps, then Succeeded', () => {
    fc.assert(
      fc.property(validCanary, canary => {
        const result = plan(canary);
        assert.ok(result.promotes);
        assert.equal(result.ticks.at(-1)?.phase, 'Succeeded');
        const [promote] = actions(result, 'promote');
        assert.ok(promote !== undefined);
        const step = canary.spec.analysis.stepWeightPromotion ?? 0;
        const expected =
          canary.spec.provider === 'kubernetes' || step === 0
            ? 1
            : Math.ceil(promote.routes.canaryWeight / step);
        const promotion = actions(result, 'promotion-step');
        assert.equal(promotion.length, expected);
        promotion.forEach((tick, index) =>
          assert.ok(tick.routes.primaryWeight > (promotion[index - 1]?.routes.primaryWeight ?? -1)),
        );
        assert.deepEqual(promotion.at(-1)?.routes, { primaryWeight: 100, canaryWeight: 0, mirrored: false });
      }),
      { numRuns: 500 },
    );
  });
});

/** Any number the schema takes where a number goes: fractions, negatives, zero, huge, NaN (YAML's .nan). */
const anyNumber = fc.oneof(fc.integer({ min: -5, max: 150 }), fc.double());
const absurdAnalysis = fc.record(
  {
    interval: fc.constantFrom('1m', '0s', '1mx', '9999999999h', '10s', '1s'),
    threshold: anyNumber,
    stepWeight: anyNumber,
    stepWeights: fc.array(anyNumber, { maxLength: 8 }),
    maxWeight: anyNumber,
    iterations: anyNumber,
    stepWeightPromotion: anyNumber,
    mirror: fc.boolean(),
    match: fc.constant(MATCH),
    delay: fc.constantFrom('0s', '1s', '1h', '-5m', '9999h'),
    webhooks: hooks,
  },
  { requiredKeys: ['interval'] },
);

describe('the plan of any canary the schema accepts (property)', () => {
  it('is computed and printed without a throw, in a bounded number of ticks', () => {
    fc.assert(
      fc.property(absurdAnalysis, provider, (analysis, name) => {
        const canary = canaryOf(analysis, name);
        fc.pre(checkSchema(canary).errors.length === 0);
        const result = computePlan(canary, { meshProvider: MESH_PROVIDER });
        assert.ok(result.ticks.length <= 2_100, `${result.ticks.length} ticks`);
        const lines = renderPlan(result, { colors: palette(false), width: 100 });
        assert.ok(lines.length > 0);
        JSON.stringify(result);
      }),
      // Few runs: many of these hit the 2000-tick guard, and each of those renders a 2000-row table.
      { numRuns: 120 },
    );
  });
});

describe('plan regressions found by the properties', () => {
  it('prints the plan of threshold 3e297, whose rollback time no Go duration can hold', () => {
    const result = computePlan(canaryOf({ interval: '1m', threshold: 3e297, iterations: 0 }, undefined), {
      meshProvider: MESH_PROVIDER,
    });
    const lines = renderPlan(result, { colors: palette(false), width: 100 });
    assert.ok(lines.some(line => line.startsWith('Maximum time to roll back:')));
  });
});
