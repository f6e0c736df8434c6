import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../../api/canary.ts';
import { istioObserver } from './istio.ts';
import { linkerdObserver } from './linkerd.ts';
import { metricsProviderName, observerFor } from './registry.ts';

function canary(
  provider?: Canary['spec']['provider'],
  target?: Partial<Canary['spec']['targetRef']>,
): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      ...(provider !== undefined && { provider }),
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', ...target },
      service: { port: 9898 },
      analysis: { interval: '1m' },
    },
  };
}

describe('metricsProviderName', () => {
  it('is the mesh provider, unless the canary sets one', () => {
    assert.equal(metricsProviderName(canary(), 'istio'), 'istio');
    assert.equal(metricsProviderName(canary('nginx'), 'istio'), 'nginx');
  });

  it('forces linkerd when the mesh provider is Linkerd and the canary sets a provider', () => {
    assert.equal(metricsProviderName(canary('nginx'), 'linkerd'), 'linkerd');
    assert.equal(metricsProviderName(canary('smi:v1alpha3'), 'smi:v1alpha3:linkerd'), 'linkerd');
    assert.equal(metricsProviderName(canary(), 'smi:v1alpha3:linkerd'), 'smi:v1alpha3:linkerd');
  });

  it('appends :service for a Kubernetes Service target, not for a Knative one', () => {
    assert.equal(
      metricsProviderName(canary(undefined, { apiVersion: 'v1', kind: 'Service' }), 'istio'),
      'istio:service',
    );
    const knative = canary('knative', { apiVersion: 'serving.knative.dev/v1', kind: 'Service' });
    assert.equal(metricsProviderName(knative, 'istio'), 'knative');
  });
});

describe('observerFor', () => {
  it('gives the Istio queries for istio and istio:service', () => {
    assert.equal(observerFor('istio'), istioObserver);
    assert.equal(observerFor('istio:service'), istioObserver);
  });

  it('uses the target mesh of SMI, and Istio when SMI names none', () => {
    assert.equal(observerFor('smi:v1alpha3:istio'), istioObserver);
    assert.equal(observerFor('smi:v1alpha2'), istioObserver);
    assert.equal(observerFor('smi:v1alpha3:linkerd'), linkerdObserver);
  });

  it('rejects unknown providers instead of falling back to Istio', () => {
    assert.throws(() => observerFor('crossover'), /unknown mesh provider "crossover"/);
    assert.throws(() => observerFor(''), /unknown mesh provider ""/);
  });
});

describe('istio queries', () => {
  it('select destination-reported requests of the target workload', () => {
    const { queries } = istioObserver;
    for (const query of Object.values(queries)) {
      assert.match(query, /reporter="destination"/);
      assert.match(query, /destination_workload_namespace="\{\{ namespace \}\}"/);
      assert.match(query, /destination_workload=~"\{\{ target \}\}"/);
      assert.match(query, /\[\{\{ interval \}\}\]/);
    }
    assert.match(queries['request-success-rate'], /response_code!~"5\.\*"/);
    assert.match(queries['request-duration'], /histogram_quantile\(\s*0\.99,/);
    assert.equal(istioObserver.durationUnitMs, 1);
  });
});
