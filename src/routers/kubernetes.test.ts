import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { KubernetesRouter } from './kubernetes.ts';

function canary(iterations?: number): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 80 },
      analysis: { interval: '1m', ...(iterations === undefined ? {} : { iterations }) },
    },
  };
}

describe('KubernetesRouter (provider kubernetes)', () => {
  const router = new KubernetesRouter();

  it('reports all traffic on the canary while iterations are set', async () => {
    assert.deepEqual(await router.getRoutes(canary(5)), {
      primaryWeight: 0,
      canaryWeight: 100,
      mirrored: false,
    });
  });

  it('reports all traffic on the primary without iterations', async () => {
    assert.deepEqual(await router.getRoutes(canary()), {
      primaryWeight: 100,
      canaryWeight: 0,
      mirrored: false,
    });
  });

  it('changes nothing and keeps no status', async () => {
    await router.reconcile();
    assert.deepEqual(await router.setRoutes(), {});
    await router.finalize();
  });
});
