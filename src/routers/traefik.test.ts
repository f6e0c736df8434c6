import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { traefikServiceSpec } from './traefik.ts';

const canary: Canary = {
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { port: 80, name: 'web' },
    analysis: { interval: '1m' },
  },
};
const split = (primaryWeight: number, canaryWeight: number) => ({
  primaryWeight,
  canaryWeight,
  mirrored: false,
});

describe('traefikServiceSpec', () => {
  it('lists the canary only while it gets traffic', () => {
    assert.deepEqual(traefikServiceSpec(canary, split(100, 0)), {
      weighted: { services: [{ name: 'web-primary', namespace: 'test', port: 80, weight: 100 }] },
    });
    assert.deepEqual(traefikServiceSpec(canary, split(75, 25)), {
      weighted: {
        services: [
          { name: 'web-primary', namespace: 'test', port: 80, weight: 75 },
          { name: 'web-canary', namespace: 'test', port: 80, weight: 25 },
        ],
      },
    });
  });

  it('leaves a zero primary weight out, as Go does', () => {
    assert.deepEqual(traefikServiceSpec(canary, split(0, 100)).weighted?.services, [
      { name: 'web-primary', namespace: 'test', port: 80 },
      { name: 'web-canary', namespace: 'test', port: 80, weight: 100 },
    ]);
  });
});
