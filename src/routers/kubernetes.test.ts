import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { KubernetesRouter } from './kubernetes.ts';

function canary(statusIterations?: number): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 80 },
      analysis: { interval: '1m', iterations: 5 },
    },
    ...(statusIterations === undefined
      ? {}
      : { status: { phase: 'Progressing', iterations: statusIterations } }),
  };
}

describe('KubernetesRouter (provider kubernetes)', () => {
  const router = new KubernetesRouter();

  it('reports all traffic on the canary once the analysis has taken an iteration', async () => {
    assert.deepEqual(await router.getRoutes(canary(1)), {
      primaryWeight: 0,
      canaryWeight: 100,
      mirrored: false,
    });
  });

  // The first step of the analysis (pre-rollout hooks) is recognised by no traffic on the canary.
  for (const iterations of [undefined, 0]) {
    it(`reports all traffic on the primary before the first iteration (status.iterations ${String(iterations)})`, async () => {
      assert.deepEqual(await router.getRoutes(canary(iterations)), {
        primaryWeight: 100,
        canaryWeight: 0,
        mirrored: false,
      });
    });
  }

  it('changes nothing and keeps no status', async () => {
    await router.reconcile();
    assert.deepEqual(await router.setRoutes(), {});
    await router.finalize();
  });
});
