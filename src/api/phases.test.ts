import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CANARY_PHASES, promotedCondition, type CanaryPhase, type ConditionStatus } from './phases.ts';

describe('promotedCondition', () => {
  // Flagger's MakeStatusConditions, phase by phase, for a Deployment target.
  const table: [CanaryPhase, ConditionStatus, string][] = [
    ['', 'Unknown', 'New Deployment detected, starting initialization.'],
    ['Initializing', 'Unknown', 'New Deployment detected, starting initialization.'],
    ['Initialized', 'True', 'Deployment initialization completed.'],
    ['Waiting', 'Unknown', 'Waiting for approval.'],
    ['Progressing', 'Unknown', 'New revision detected, progressing canary analysis.'],
    ['WaitingPromotion', 'Unknown', 'Waiting for approval.'],
    ['Promoting', 'Unknown', 'Canary analysis completed, starting primary rolling update.'],
    ['Finalising', 'Unknown', 'Canary analysis completed, routing all traffic to primary.'],
    ['Succeeded', 'True', 'Canary analysis completed successfully, promotion finished.'],
    ['Failed', 'False', 'Canary analysis failed, Deployment scaled to zero.'],
    ['Terminating', 'Unknown', 'New Deployment detected, starting initialization.'],
    ['Terminated', 'Unknown', 'New Deployment detected, starting initialization.'],
  ];

  it('covers every phase', () => {
    assert.deepEqual(
      table.map(([phase]) => phase),
      [...CANARY_PHASES],
    );
  });

  for (const [phase, status, message] of table) {
    it(`${phase === '' ? '(empty)' : phase} → ${status}`, () => {
      assert.deepEqual(promotedCondition(phase, 'Deployment'), { status, reason: phase, message });
    });
  }

  it('names the target kind', () => {
    assert.equal(
      promotedCondition('Initialized', 'DaemonSet').message,
      'DaemonSet initialization completed.',
    );
    assert.equal(
      promotedCondition('Failed', 'Service').message,
      'Canary analysis failed, Service scaled to zero.',
    );
  });
});
