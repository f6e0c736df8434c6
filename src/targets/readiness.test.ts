import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet, Deployment } from '../kube/types.ts';
import { daemonSetReadiness, deploymentReadiness, thresholdCount } from './readiness.ts';

const NOW = Date.parse('2024-01-01T12:00:00Z');
const rules = { deadlineSeconds: 60, readyThreshold: 100, now: NOW };

function deployment(status: NonNullable<Deployment['status']>, replicas = 2, generation = 1): Deployment {
  return {
    metadata: { name: 'podinfo', generation },
    spec: { replicas, selector: {}, template: {} },
    status: { observedGeneration: 1, ...status },
  };
}

const unavailableSince = (seconds: number) => [
  { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' },
  {
    type: 'Available',
    status: 'False',
    reason: 'MinimumReplicasUnavailable',
    lastUpdateTime: new Date(NOW - seconds * 1000).toISOString(),
  },
];

describe('deploymentReadiness', () => {
  it('is ready when every replica is updated and available', () => {
    const d = deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    assert.deepEqual(deploymentReadiness(d, rules), { ready: true });
  });

  it('waits while the controller has not observed the latest generation', () => {
    const d = deployment({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 2, 2);
    assert.deepEqual(deploymentReadiness(d, rules), {
      ready: false,
      retriable: true,
      message: 'waiting for rollout to finish: observed deployment generation less than desired generation',
    });
  });

  it('fails for good when the progress deadline is exceeded', () => {
    const d = deployment({
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    });
    assert.deepEqual(deploymentReadiness(d, rules), {
      ready: false,
      retriable: false,
      message: 'deployment "podinfo" exceeded its progress deadline',
    });
  });

  it('reports updated, terminating and available replicas with the readyThreshold', () => {
    const cases: [NonNullable<Deployment['status']>, string][] = [
      [{ replicas: 2, updatedReplicas: 1 }, '1 out of 2 new replicas have been updated'],
      [{ replicas: 3, updatedReplicas: 2, availableReplicas: 2 }, '1 old replicas are pending termination'],
      [
        { replicas: 2, updatedReplicas: 2, availableReplicas: 1 },
        '1 of 2 (readyThreshold 100%) updated replicas are available',
      ],
    ];
    for (const [status, message] of cases) {
      assert.deepEqual(deploymentReadiness(deployment(status), rules), {
        ready: false,
        retriable: true,
        message: `waiting for rollout to finish: ${message}`,
      });
    }
  });

  it('accepts fewer available replicas down to the readyThreshold', () => {
    const d = deployment({ replicas: 4, updatedReplicas: 4, availableReplicas: 2 }, 4);
    assert.equal(deploymentReadiness(d, { ...rules, readyThreshold: 50 }).ready, true);
    assert.equal(deploymentReadiness(d, { ...rules, readyThreshold: 75 }).ready, false);
  });

  it('becomes non-retriable when too few replicas are available for longer than the deadline', () => {
    const status = { replicas: 2, updatedReplicas: 2, availableReplicas: 1 };
    const stuck = deployment({ ...status, conditions: unavailableSince(61) });
    const recent = deployment({ ...status, conditions: unavailableSince(30) });
    assert.equal((deploymentReadiness(stuck, rules) as { retriable: boolean }).retriable, false);
    assert.equal((deploymentReadiness(recent, rules) as { retriable: boolean }).retriable, true);
  });

  it('treats a Deployment scaled to zero as ready (the primary guard is the target’s job)', () => {
    const d = deployment({}, 0);
    assert.deepEqual(deploymentReadiness(d, rules), { ready: true });
  });
});

describe('thresholdCount', () => {
  it('truncates a float32 product as Go does', () => {
    assert.equal(thresholdCount(10, 90), 9);
    assert.equal(thresholdCount(3, 50), 1);
    assert.equal(thresholdCount(7, 100), 7);
    assert.equal(thresholdCount(5, 0), 0);
  });
});

function daemonSet(status: Partial<NonNullable<DaemonSet['status']>>, generation = 1): DaemonSet {
  const counts = {
    currentNumberScheduled: 0,
    desiredNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
  };
  return { metadata: { name: 'agent', generation }, status: { observedGeneration: 1, ...counts, ...status } };
}

describe('daemonSetReadiness', () => {
  const since = (seconds: number) => ({
    ...rules,
    lastTransitionTime: new Date(NOW - seconds * 1000).toISOString(),
  });

  it('is ready when every scheduled pod is updated and available', () => {
    const ds = daemonSet({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 });
    assert.deepEqual(daemonSetReadiness(ds, since(600)), { ready: true });
  });

  it('waits for updated, then for available pods', () => {
    const updating = daemonSet({ desiredNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 1 });
    assert.deepEqual(daemonSetReadiness(updating, since(10)), {
      ready: false,
      retriable: true,
      message: 'waiting for rollout to finish: 1 out of 2 new pods have been updated',
    });
    const starting = daemonSet({ desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 });
    assert.deepEqual(daemonSetReadiness(starting, since(10)), {
      ready: false,
      retriable: true,
      message: 'waiting for rollout to finish: 1 of 2 (readyThreshold 100%) updated pods are available',
    });
  });

  it('fails for good once the canary has been in its phase longer than the deadline', () => {
    const ds = daemonSet({ desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 0 });
    assert.deepEqual(daemonSetReadiness(ds, since(61)), {
      ready: false,
      retriable: false,
      message: 'exceeded its progressDeadlineSeconds: 60',
    });
  });

  it('has no deadline before the canary has a lastTransitionTime', () => {
    const ds = daemonSet({ desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 0 });
    const readiness = daemonSetReadiness(ds, { ...rules, lastTransitionTime: undefined });
    assert.equal((readiness as { retriable: boolean }).retriable, true);
  });

  it('waits while the controller has not observed the latest generation', () => {
    const ds = daemonSet({ desiredNumberScheduled: 0, updatedNumberScheduled: 0, numberAvailable: 0 }, 3);
    assert.deepEqual(daemonSetReadiness(ds, since(600)), {
      ready: false,
      retriable: true,
      message: 'waiting for rollout to finish: observed daemonset generation less than desired generation',
    });
  });
});
