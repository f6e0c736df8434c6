import assert from 'node:assert/strict';
import { KnativeTarget } from './knative.ts';
import { describe, it } from 'node:test';
import type { Canary, CanarySpec } from '../api/canary.ts';
import { KubeClient } from '../kube/client.ts';
import { silentLogger } from '../logging/logger.ts';
import { DaemonSetTarget } from './daemonset.ts';
import { DeploymentTarget } from './deployment.ts';
import { createScaler, createTarget } from './registry.ts';
import { HpaReconciler } from './scalers/hpa.ts';
import { KedaReconciler } from './scalers/keda.ts';
import { ServiceTarget } from './service.ts';

const deps = {
  // Never called: choosing an implementation does not talk to the API server.
  kube: Object.create(KubeClient.prototype) as KubeClient,
  logger: silentLogger(),
  options: { selectorLabels: ['app'], includeLabelPrefix: [], enableConfigTracking: true },
};

function canary(spec: Partial<CanarySpec>): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      analysis: { interval: '1m' },
      ...spec,
    },
  };
}

describe('registry', () => {
  it('chooses the target by targetRef.kind', () => {
    assert.ok(createTarget(canary({}), deps) instanceof DeploymentTarget);
    const ds = canary({ targetRef: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' } });
    assert.ok(createTarget(ds, deps) instanceof DaemonSetTarget);
    const svc = canary({ targetRef: { apiVersion: 'v1', kind: 'Service', name: 'podinfo' } });
    assert.ok(createTarget(svc, deps) instanceof ServiceTarget);
  });

  it('makes a Knative target for a Knative Service', () => {
    const knative = canary({
      targetRef: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'podinfo' },
    });
    assert.ok(createTarget(knative, deps) instanceof KnativeTarget);
  });

  it('chooses the scaler by autoscalerRef.kind, none without one', () => {
    assert.equal(createScaler(canary({}), deps), undefined);
    const hpa = canary({
      autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'a' },
    });
    assert.ok(createScaler(hpa, deps) instanceof HpaReconciler);
    const so = canary({ autoscalerRef: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'a' } });
    assert.ok(createScaler(so, deps) instanceof KedaReconciler);
  });
});
