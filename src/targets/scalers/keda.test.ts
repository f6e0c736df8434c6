import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../../api/canary.ts';
import { primaryQuery, primaryScaledObjectSpec, type ScaledObject } from './keda.ts';

describe('primaryQuery', () => {
  it('points queries about the target or its canary at the primary', () => {
    const cases = [
      [
        'sum(rate(http_requests_total{app="podinfo"}[2m]))',
        'sum(rate(http_requests_total{app="podinfo-primary"}[2m]))',
      ],
      [
        'sum(rate(http_requests_total{app="podinfo-canary"}[2m]))',
        'sum(rate(http_requests_total{app="podinfo-primary"}[2m]))',
      ],
      [
        'sum(rate(http_requests_total{app="podinfo-canary", svc="podinfo"}[2m]))',
        'sum(rate(http_requests_total{app="podinfo-primary", svc="podinfo-primary"}[2m]))',
      ],
    ];
    for (const [query, expected] of cases) {
      assert.equal(
        primaryQuery({ type: 'prometheus', metadata: { query: query! } }, 'podinfo', undefined),
        expected,
      );
    }
  });

  it('uses primaryScalerQueries by trigger name and rewrites the other triggers', () => {
    const queries = { named: 'custom' };
    assert.equal(
      primaryQuery({ type: 'prometheus', name: 'named', metadata: { query: 'x' } }, 'podinfo', queries),
      'custom',
    );
    assert.equal(
      primaryQuery(
        { type: 'prometheus', name: 'other', metadata: { query: 'up{app="podinfo"}' } },
        'podinfo',
        queries,
      ),
      'up{app="podinfo-primary"}',
    );
  });

  it('leaves triggers without a query alone', () => {
    assert.equal(primaryQuery({ type: 'cpu', metadata: { value: '50' } }, 'podinfo', undefined), undefined);
  });
});

describe('primaryScaledObjectSpec', () => {
  const canary = {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      autoscalerRef: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        name: 'podinfo-so',
        primaryScalerReplicas: { maxReplicas: 9 },
      },
      analysis: { interval: '1m' },
    },
  } as Canary;
  const target: ScaledObject = {
    spec: {
      scaleTargetRef: { name: 'podinfo', kind: 'Deployment' },
      pollingInterval: 10,
      minReplicaCount: 2,
      maxReplicaCount: 4,
      advanced: { horizontalPodAutoscalerConfig: { name: 'podinfo-hpa' } },
      triggers: [{ type: 'prometheus', metadata: { query: 'up{app="podinfo"}', threshold: '1' } }],
    },
  };

  it('targets the primary with the copied settings, overrides and -primary HPA name', () => {
    assert.deepEqual(primaryScaledObjectSpec(canary, target), {
      scaleTargetRef: {
        name: 'podinfo-primary',
        kind: 'Deployment',
        apiVersion: undefined,
        envSourceContainerName: undefined,
      },
      pollingInterval: 10,
      cooldownPeriod: undefined,
      minReplicaCount: 2,
      maxReplicaCount: 9,
      advanced: { horizontalPodAutoscalerConfig: { name: 'podinfo-hpa-primary' } },
      triggers: [{ type: 'prometheus', metadata: { query: 'up{app="podinfo-primary"}', threshold: '1' } }],
      fallback: undefined,
      idleReplicaCount: undefined,
    });
    assert.equal(
      target.spec?.advanced?.horizontalPodAutoscalerConfig?.name,
      'podinfo-hpa',
      'input unchanged',
    );
  });
});
