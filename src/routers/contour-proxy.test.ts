import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../api/canary.ts';
import { httpProxySpec, readRoutes, type ProxyService } from './contour-proxy.ts';

function canary(service: Partial<CanaryService> = {}, analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, ...service },
      analysis: { interval: '1m', ...analysis },
    },
  };
}

const split = (primaryWeight: number, canaryWeight: number) => ({
  primaryWeight,
  canaryWeight,
  mirrored: false,
});

function backend(name: string, weight: number): ProxyService {
  return {
    name,
    port: 9898,
    ...(weight === 0 ? {} : { weight }),
    requestHeadersPolicy: {
      set: [{ name: 'l5d-dst-override', value: `${name}.test.svc.cluster.local:9898` }],
    },
  };
}
const services = (primary: number, canaryWeight: number) => [
  backend('podinfo-primary', primary),
  backend('podinfo-canary', canaryWeight),
];

describe('httpProxySpec', () => {
  it('splits one route on / between the primary and the canary (a zero weight left out)', () => {
    assert.deepEqual(httpProxySpec(canary(), split(100, 0), ''), {
      routes: [{ conditions: [{ prefix: '/' }], services: services(100, 0) }],
    });
    assert.deepEqual(httpProxySpec(canary(), split(60, 40), '').routes?.[0]?.services, services(60, 40));
  });

  it('takes the prefix, timeout, retries and ingress class', () => {
    const service: Partial<CanaryService> = {
      match: [{ uri: { prefix: '/api' } }],
      timeout: '15s',
      retries: { attempts: 3, perTryTimeout: '5s', retryOn: '5xx, gateway-error' },
    };
    assert.deepEqual(httpProxySpec(canary(service), split(100, 0), 'contour-external'), {
      ingressClassName: 'contour-external',
      routes: [
        {
          conditions: [{ prefix: '/api' }],
          services: services(100, 0),
          timeoutPolicy: { response: '15s', idle: '5m' },
          retryPolicy: { count: 3, perTryTimeout: '5s', retryOn: ['5xx', 'gateway-error'] },
        },
      ],
    });
    const bare = httpProxySpec(canary({ retries: {} }), split(100, 0), '');
    assert.deepEqual(bare.routes?.[0]?.retryPolicy, { count: 0 });
  });

  it('routes A/B tests by header conditions, with a default route to the primary', () => {
    const analysis: Partial<CanaryAnalysis> = {
      iterations: 10,
      match: [
        { headers: { 'x-canary': { exact: 'insider' } } },
        {
          headers: {
            'user-agent': { prefix: 'Mobile' },
            cookie: { suffix: 'insider' },
            'x-re': { regex: 'a.*' },
          },
        },
      ],
    };
    assert.deepEqual(httpProxySpec(canary({}, analysis), split(0, 100), ''), {
      routes: [
        {
          conditions: [
            { prefix: '/', header: { name: 'x-canary', exact: 'insider' } },
            { header: { name: 'user-agent', contains: 'Mobile' } },
            { header: { name: 'cookie', contains: 'insider' } },
            { header: { name: 'x-re' } },
          ],
          services: services(0, 100),
        },
        { conditions: [{ prefix: '/' }], services: services(100, 0) },
      ],
    });
  });
});

describe('readRoutes', () => {
  it('reads the first route, a missing weight being 0', () => {
    const c = canary();
    assert.deepEqual(readRoutes(c, httpProxySpec(c, split(70, 30), '')), split(70, 30));
    assert.deepEqual(readRoutes(c, httpProxySpec(c, split(0, 100), '')), split(0, 100));
  });

  it('finds nothing without both Services or without the primary', () => {
    const c = canary();
    assert.equal(readRoutes(c, undefined), undefined);
    assert.equal(readRoutes(c, { routes: [{ services: [backend('podinfo-primary', 100)] }] }), undefined);
    assert.equal(readRoutes(c, { routes: [{ services: [backend('a', 1), backend('b', 2)] }] }), undefined);
  });
});
