import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodTemplateSpec } from '../kube/types.ts';
import { computeHash } from '../util/hash.ts';
import { SCALE_TO_ZERO_KEY, daemonSetHashInput, withoutScaleToZero } from './daemonset.ts';

const template = (nodeSelector?: Record<string, string>): PodTemplateSpec => ({
  metadata: { labels: { app: 'agent' } },
  spec: { containers: [{ name: 'agent', image: 'agent:1' }], ...(nodeSelector ? { nodeSelector } : {}) },
});

describe('DaemonSet spec hashing', () => {
  it('ignores scaling to zero and treats an absent nodeSelector as empty', () => {
    const hash = computeHash(daemonSetHashInput(template()));
    assert.equal(computeHash(daemonSetHashInput(template({}))), hash);
    assert.equal(computeHash(daemonSetHashInput(template({ [SCALE_TO_ZERO_KEY]: 'true' }))), hash);
    assert.notEqual(computeHash(daemonSetHashInput(template({ disk: 'ssd' }))), hash);
  });
});

describe('withoutScaleToZero', () => {
  it('removes the key and an emptied nodeSelector, keeping other selectors', () => {
    assert.equal(withoutScaleToZero(template({ [SCALE_TO_ZERO_KEY]: 'true' })).spec?.nodeSelector, undefined);
    assert.deepEqual(
      withoutScaleToZero(template({ [SCALE_TO_ZERO_KEY]: 'true', disk: 'ssd' })).spec?.nodeSelector,
      {
        disk: 'ssd',
      },
    );
  });
});
