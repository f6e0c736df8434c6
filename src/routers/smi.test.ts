import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { readTrafficSplit, trafficSplitSpec } from './smi.ts';

const canary: Canary = {
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { port: 80 },
    analysis: { interval: '1m' },
  },
};
const split = (primaryWeight: number, canaryWeight: number) => ({
  primaryWeight,
  canaryWeight,
  mirrored: false,
});

describe('trafficSplitSpec', () => {
  it('lists the canary then the primary, with integer weights from v1alpha2 on', () => {
    assert.deepEqual(trafficSplitSpec(canary, split(90, 10), 'v1alpha3'), {
      service: 'podinfo',
      backends: [
        { service: 'podinfo-canary', weight: 10 },
        { service: 'podinfo-primary', weight: 90 },
      ],
    });
  });

  it('writes v1alpha1 weights as quantities and targets hosts[0]', () => {
    const withHosts: Canary = {
      ...canary,
      spec: { ...canary.spec, service: { port: 80, hosts: ['app.example.com'] } },
    };
    assert.deepEqual(trafficSplitSpec(withHosts, split(100, 0), 'v1alpha1'), {
      service: 'app.example.com',
      backends: [
        { service: 'podinfo-canary', weight: '0' },
        { service: 'podinfo-primary', weight: '100' },
      ],
    });
  });
});

describe('readTrafficSplit', () => {
  it('reads both backends of every version', () => {
    assert.deepEqual(
      readTrafficSplit(canary, trafficSplitSpec(canary, split(70, 30), 'v1alpha1')),
      split(70, 30),
    );
    assert.deepEqual(
      readTrafficSplit(canary, trafficSplitSpec(canary, split(0, 100), 'v1alpha2')),
      split(0, 100),
    );
  });

  it('is undefined when neither backend has weight', () => {
    assert.equal(readTrafficSplit(canary, undefined), undefined);
    assert.equal(
      readTrafficSplit(canary, { service: 'podinfo', backends: [{ service: 'other', weight: 100 }] }),
      undefined,
    );
  });
});
