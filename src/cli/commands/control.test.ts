import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryPhase } from '../../api/canary.ts';
import { testCanary } from '../../api/canary.fixture.ts';
import { controlNotes, controlPatch, controlRequest } from './control.ts';

const canary = (phase: string, annotations: Record<string, string> = {}) =>
  testCanary({ metadata: { annotations }, status: { phase: phase as CanaryPhase } });

describe('control requests', () => {
  it('sets the annotation of each request with a merge patch', () => {
    const patch = (verb: Parameters<typeof controlRequest>[0], full = false) =>
      controlPatch(controlRequest(verb, full)).metadata.annotations;
    assert.deepEqual(patch('promote'), { 'flagger.app/promote': 'step' });
    assert.deepEqual(patch('promote', true), { 'flagger.app/skip-analysis': 'true' });
    assert.deepEqual(patch('abort'), { 'flagger.app/abort': 'true' });
    assert.deepEqual(patch('pause'), { 'flagger.app/pause': 'true' });
    assert.deepEqual(patch('resume'), { 'flagger.app/pause': null });
    assert.deepEqual(patch('retry'), { 'flagger.app/reset': 'true' });
  });

  it('notes what keeps a request from acting at once', () => {
    assert.deepEqual(controlNotes('promote', canary('Progressing'), 'podinfo'), []);
    assert.deepEqual(controlNotes('abort', canary('WaitingPromotion'), 'podinfo'), []);
    assert.deepEqual(controlNotes('abort', canary('Succeeded'), 'podinfo'), [
      'no release is under way (phase Succeeded): the controller drops the request',
    ]);
    assert.deepEqual(controlNotes('abort', canary('Finalising'), 'podinfo'), [
      'the promotion is under way (phase Finalising): too late to abort, the controller drops the request',
    ]);
    assert.deepEqual(controlNotes('promote', canary('Failed'), 'podinfo'), [
      'no release is under way (phase Failed): the request has no effect',
    ]);
    assert.deepEqual(controlNotes('promote', canary('Succeeded'), 'podinfo', true), [
      'no release is under way (phase Succeeded): the next new revision is promoted without analysis',
    ]);
    assert.deepEqual(
      controlNotes('promote', canary('Progressing', { 'flagger.app/pause': 'true' }), 'podinfo'),
      ['the canary is paused: nothing happens until flagger resume podinfo'],
    );
    assert.deepEqual(controlNotes('retry', canary('Failed'), 'podinfo'), []);
  });
});
