import assert from 'node:assert/strict';
import { KnativeTarget } from './knative.ts';
import { describe, it } from 'node:test';
import { testCanary } from '../api/canary.fixture.ts';
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

describe('registry', () => {
  it('chooses the target by targetRef.kind', () => {
    assert.ok(createTarget(testCanary(), deps) instanceof DeploymentTarget);
    const ds = testCanary({
      spec: { targetRef: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent' } },
    });
    assert.ok(createTarget(ds, deps) instanceof DaemonSetTarget);
    const svc = testCanary({ spec: { targetRef: { apiVersion: 'v1', kind: 'Service', name: 'podinfo' } } });
    assert.ok(createTarget(svc, deps) instanceof ServiceTarget);
  });

  it('makes a Knative target for a Knative Service', () => {
    const knative = testCanary({
      spec: {
        targetRef: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'podinfo' },
      },
    });
    assert.ok(createTarget(knative, deps) instanceof KnativeTarget);
  });

  it('chooses the scaler by autoscalerRef.kind, none without one', () => {
    assert.equal(createScaler(testCanary(), deps), undefined);
    const hpa = testCanary({
      spec: {
        autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'a' },
      },
    });
    assert.ok(createScaler(hpa, deps) instanceof HpaReconciler);
    const so = testCanary({
      spec: { autoscalerRef: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'a' } },
    });
    assert.ok(createScaler(so, deps) instanceof KedaReconciler);
  });
});
