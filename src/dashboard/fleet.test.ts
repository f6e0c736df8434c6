import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { fleetRow, fleetRows } from './fleet.ts';

const canary = (namespace: string, name: string, status?: Canary['status']): Canary => ({
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  metadata: { name, namespace, creationTimestamp: '2026-01-01T00:00:00Z', annotations: {} },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
    service: { port: 9898 },
    analysis: { interval: '1m', threshold: 3, maxWeight: 60, stepWeight: 20 },
  },
  ...(status !== undefined && { status }),
});

describe('fleet rows', () => {
  it('shows the step under way out of the plan, the weight and the failed checks', () => {
    const row = fleetRow(
      canary('apps', 'web', { phase: 'Progressing', canaryWeight: 40, failedChecks: 1 }),
      'istio',
    );
    assert.deepEqual(
      { phase: row.phase, weight: row.weight, step: row.step, failed: row.failedChecks, of: row.threshold },
      { phase: 'Progressing', weight: 40, step: { current: 2, of: 3 }, failed: 1, of: 3 },
    );
  });

  it('a canary the controller has not seen is Initializing, without a step', () => {
    const row = fleetRow(canary('apps', 'web'), 'istio');
    assert.equal(row.phase, 'Initializing');
    assert.equal(row.step, undefined);
    assert.equal(row.paused, false);
  });

  it('sorts by namespace, then name', () => {
    const rows = fleetRows([canary('b', 'a'), canary('a', 'z'), canary('a', 'b')], 'istio');
    assert.deepEqual(
      rows.map(r => `${r.namespace}/${r.name}`),
      ['a/b', 'a/z', 'b/a'],
    );
  });
});
