import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { canaryRouteSpec, readApisixRoutes, type ApisixRoute } from './apisix.ts';

const canary: Canary = {
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    routeRef: { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'app' },
    service: { port: 80 },
    analysis: { interval: '1m' },
  },
};
const split = (primaryWeight: number, canaryWeight: number) => ({
  primaryWeight,
  canaryWeight,
  mirrored: false,
});
const source: ApisixRoute = {
  spec: {
    ingressClassName: 'apisix',
    http: [
      { name: 'other', match: { paths: ['/other'] }, backends: [{ serviceName: 'other', servicePort: 80 }] },
      {
        name: 'method',
        match: { hosts: ['app.example.com'], paths: ['/*'] },
        plugins: [{ name: 'prometheus', enable: true }],
        backends: [{ serviceName: 'podinfo', servicePort: 80, resolveGranularity: 'service' }],
      },
    ],
  },
};

describe('canaryRouteSpec', () => {
  it('keeps only the apex rule, with priority 10000 and weighted primary and canary backends', () => {
    assert.deepEqual(canaryRouteSpec(canary, source, split(90, 10)), {
      ingressClassName: 'apisix',
      http: [
        {
          name: 'method',
          priority: 10000,
          match: { hosts: ['app.example.com'], paths: ['/*'] },
          plugins: [{ name: 'prometheus', enable: true }],
          backends: [
            { serviceName: 'podinfo-primary', servicePort: 80, resolveGranularity: 'service', weight: 90 },
            { serviceName: 'podinfo-canary', servicePort: 80, resolveGranularity: 'service', weight: 10 },
          ],
        },
      ],
    });
  });

  it('rejects a route without an apex rule, or one with several backends', () => {
    assert.throws(
      () => canaryRouteSpec(canary, { spec: { http: [] } }, split(100, 0)),
      /spec\.http is empty/,
    );
    assert.throws(
      () =>
        canaryRouteSpec(canary, { spec: { http: [{ backends: [{ serviceName: 'x' }] }] } }, split(100, 0)),
      /Can not find podinfo backend on apisix route app\.test/,
    );
    const two = {
      spec: { http: [{ name: 'r', backends: [{ serviceName: 'podinfo' }, { serviceName: 'b' }] }] },
    };
    assert.throws(() => canaryRouteSpec(canary, two, split(100, 0)), /http route r only one http backend/);
  });
});

describe('readApisixRoutes', () => {
  it('reads the split from the primary backend', () => {
    assert.deepEqual(readApisixRoutes(canary, canaryRouteSpec(canary, source, split(30, 70))), split(30, 70));
    assert.equal(readApisixRoutes(canary, source.spec), undefined);
  });
});
