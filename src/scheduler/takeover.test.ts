import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryStatus } from '../api/canary.ts';
import type { CanaryPhase } from '../api/phases.ts';
import { computeHash } from '../util/hash.ts';
import { needsTakeover, takeover } from './takeover.ts';

/** Hashes as Flagger writes them (FNV-32a in the safe alphabet, at most 10 characters). */
const FLAGGER_APPLIED = '5d8f7b9c4';
const FLAGGER_PROMOTED = '7c6b9d5f8';
const OURS = computeHash({ image: 'podinfo:2' });
const revision = { specHash: OURS, trackedConfigs: { 'configmap/podinfo': 'ab12' } };

function status(phase: CanaryPhase, fields: Partial<CanaryStatus> = {}): CanaryStatus {
  return {
    phase,
    canaryWeight: 30,
    iterations: 0,
    failedChecks: 1,
    lastAppliedSpec: FLAGGER_APPLIED,
    lastPromotedSpec: FLAGGER_PROMOTED,
    trackedConfigs: { 'configmap/podinfo': 'cd34' },
    ...fields,
  };
}

/** The status the takeover writes, or undefined when it writes nothing. */
function adopted(before: CanaryStatus, promoted: boolean): CanaryStatus | undefined {
  const canary = { metadata: {}, spec: {}, status: before } as unknown as Canary;
  return takeover(before, revision, promoted).change?.(canary, '2026-01-01T00:00:00Z');
}

describe('takeover of a status Flagger wrote', () => {
  // phase, does the primary run the target, → lastAppliedSpec, lastPromotedSpec
  const cases: [CanaryPhase, boolean, string | undefined, string | undefined][] = [
    // A release Flagger left: the target is the revision under analysis (or rejected), the primary the old one.
    ['Progressing', false, OURS, FLAGGER_PROMOTED],
    ['Waiting', false, OURS, FLAGGER_PROMOTED],
    ['WaitingPromotion', false, OURS, FLAGGER_PROMOTED],
    ['Promoting', false, OURS, FLAGGER_PROMOTED],
    ['Failed', false, OURS, FLAGGER_PROMOTED],
    // The primary already runs the target: after Flagger's promotion copy, or a failed target rolled back by hand.
    ['Finalising', true, OURS, OURS],
    ['Failed', true, OURS, OURS],
    // Idle and promoted: unchanged when the primary runs the target; a change Flagger never saw stays a change.
    ['Succeeded', true, OURS, OURS],
    ['Initialized', true, OURS, OURS],
    ['Succeeded', false, undefined, undefined],
    ['Initialized', false, undefined, undefined],
  ];
  for (const [phase, promoted, applied, lastPromoted] of cases) {
    it(`${phase}, primary ${promoted ? 'runs' : 'does not run'} the target`, () => {
      const before = status(phase);
      const after = adopted(before, promoted);
      if (applied === undefined) {
        assert.equal(after, undefined);
        return;
      }
      assert.deepEqual(after, { ...before, lastAppliedSpec: applied, lastPromotedSpec: lastPromoted });
    });
  }

  it('keeps weights, iterations, failed checks and tracked configs', () => {
    const before = status('WaitingPromotion', { canaryWeight: 50, iterations: 4, failedChecks: 2 });
    const after = adopted(before, false);
    assert.equal(after?.canaryWeight, 50);
    assert.equal(after.iterations, 4);
    assert.equal(after.failedChecks, 2);
    assert.deepEqual(after.trackedConfigs, { 'configmap/podinfo': 'cd34' });
  });

  it('says where the release stood', () => {
    const { summary } = takeover(status('Progressing'), revision, false);
    assert.equal(
      summary,
      'phase Progressing, canary weight 30, iterations 0, failed checks 1; its revision is the target as it runs now',
    );
  });

  const needs: [string, Partial<CanaryStatus>, boolean][] = [
    ["Flagger's hashes", {}, true],
    ['our hashes', { lastAppliedSpec: OURS, lastPromotedSpec: OURS }, false],
    ["a promoted hash of Flagger's left", { lastAppliedSpec: OURS }, true],
    ['no hashes yet', { lastAppliedSpec: undefined, lastPromotedSpec: undefined }, false],
    ['empty hashes', { lastAppliedSpec: '', lastPromotedSpec: '' }, false],
  ];
  for (const [name, fields, expected] of needs) {
    it(`needsTakeover with ${name}: ${String(expected)}`, () =>
      assert.equal(needsTakeover(status('Succeeded', fields)), expected));
  }
});
