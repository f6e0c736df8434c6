import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { newTrafficRoute, readTrafficRoute, trafficRouteSpec } from './kuma.ts';

const canary: Canary = {
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { port: 9898 },
    analysis: { interval: '1m' },
  },
};
const split = (primaryWeight: number, canaryWeight: number) => ({
  primaryWeight,
  canaryWeight,
  mirrored: false,
});
const FLUX = {
  'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
  'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
};

describe('trafficRouteSpec', () => {
  it('splits the apex Kuma service between primary and canary', () => {
    assert.deepEqual(trafficRouteSpec(canary, split(70, 30)), {
      sources: [{ match: { 'kuma.io/service': '*' } }],
      destinations: [{ match: { 'kuma.io/service': 'podinfo_test_svc_9898' } }],
      conf: {
        split: [
          { weight: 70, destination: { 'kuma.io/service': 'podinfo-primary_test_svc_9898' } },
          { weight: 30, destination: { 'kuma.io/service': 'podinfo-canary_test_svc_9898' } },
        ],
      },
    });
  });

  it('reads the split back from the primary weight', () => {
    assert.deepEqual(readTrafficRoute(canary, trafficRouteSpec(canary, split(0, 100))), split(0, 100));
    assert.equal(readTrafficRoute(canary, undefined), undefined);
  });
});

describe('newTrafficRoute', () => {
  it('is cluster-scoped in the default mesh, with the port protocol annotation', () => {
    const route = newTrafficRoute(canary);
    assert.equal(route.mesh, 'default');
    assert.deepEqual(route.metadata, {
      name: 'podinfo',
      annotations: { '9898.service.kuma.io': 'http', ...FLUX },
    });
  });

  it('takes the mesh from the Canary annotation and the apex annotations instead of the default one', () => {
    const route = newTrafficRoute({
      metadata: { ...canary.metadata, annotations: { 'kuma.io/mesh': 'prod' } },
      spec: { ...canary.spec, service: { port: 9898, apex: { annotations: { note: 'x' } } } },
    });
    assert.equal(route.mesh, 'prod');
    assert.deepEqual(route.metadata?.annotations, { note: 'x', ...FLUX });
  });
});
