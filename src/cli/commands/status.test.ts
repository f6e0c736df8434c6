import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryStatus } from '../../api/canary.ts';
import { testCanary } from '../../api/canary.fixture.ts';
import { EXIT_CODES, outcomeOf, progressLine } from './status.ts';
import { palette } from './table.ts';

const canary = (status: CanaryStatus) =>
  testCanary({ spec: { analysis: { stepWeight: 20, maxWeight: 60, threshold: 2 } }, status });

describe('status outcome', () => {
  it('promoted: Succeeded with the applied spec promoted, or Initialized', () => {
    assert.equal(
      outcomeOf(canary({ phase: 'Succeeded', lastAppliedSpec: 'a', lastPromotedSpec: 'a' })),
      'promoted',
    );
    assert.equal(outcomeOf(canary({ phase: 'Initialized' })), 'promoted');
    assert.equal(
      outcomeOf(canary({ phase: 'Succeeded', lastAppliedSpec: 'b', lastPromotedSpec: 'a' })),
      'running',
    );
  });

  it('failed: Failed; anything else is under way, and so is a change the controller has not seen yet', () => {
    assert.equal(outcomeOf(canary({ phase: 'Failed' })), 'failed');
    for (const phase of [
      'Progressing',
      'Waiting',
      'WaitingPromotion',
      'Promoting',
      'Finalising',
      undefined,
    ]) {
      assert.equal(outcomeOf(canary({ ...(phase && { phase: phase as CanaryStatus['phase'] }) })), 'running');
    }
    assert.equal(outcomeOf(canary({ phase: 'Failed' }), true), 'running');
    assert.equal(outcomeOf(canary({ phase: 'Initialized' }), true), 'running');
  });

  it('exit codes: 0 promoted, 1 failed, 2 under way or timed out', () => {
    assert.deepEqual(EXIT_CODES, { promoted: 0, failed: 1, running: 2, timeout: 2 });
  });

  it('progress lines name the phase, the step and the failed checks', () => {
    const colors = palette(false);
    assert.equal(
      progressLine(canary({ phase: 'Progressing', canaryWeight: 40, failedChecks: 1 }), 'istio', colors),
      'podinfo.test Progressing, canary weight 40 (step 2 of 3), failed checks 1/2',
    );
    assert.equal(
      progressLine(canary({}), 'istio', colors),
      'podinfo.test not initialized, canary weight 0, failed checks 0/2',
    );
  });
});
