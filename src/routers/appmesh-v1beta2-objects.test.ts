import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../api/canary.ts';
import {
  containerPort,
  readVirtualRouter,
  virtualNodeSpec,
  virtualRouterSpec,
  virtualServiceSpec,
} from './appmesh-v1beta2-objects.ts';

function canary(
  service: Partial<CanaryService> = {},
  analysis: Partial<CanaryAnalysis> = {},
  annotations?: Record<string, string>,
): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test', ...(annotations ? { annotations } : {}) },
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
const node = (name: string) => ({ name });

describe('App Mesh v1beta2 VirtualNodes', () => {
  it('select the primary or canary pods and are found by the Service DNS name', () => {
    assert.deepEqual(virtualNodeSpec(canary(), 'primary', 'app'), {
      podSelector: { matchLabels: { app: 'podinfo-primary' } },
      listeners: [{ portMapping: { port: 9898, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostname: 'podinfo-primary.test.svc.cluster.local.' } },
    });
    assert.deepEqual(virtualNodeSpec(canary({ name: 'web' }), 'canary', 'name').podSelector, {
      matchLabels: { name: 'podinfo' },
    });
    assert.equal(
      virtualNodeSpec(canary({ name: 'web' }), 'canary', 'app').serviceDiscovery?.dns?.hostname,
      'web-canary.test.svc.cluster.local.',
    );
  });

  it('listen on the numeric target port with the timeout, and log access when asked', () => {
    const spec = virtualNodeSpec(
      canary(
        { port: 80, targetPort: 9898, portName: 'grpc', timeout: '30s' },
        {},
        { 'appmesh.flagger.app/accesslog': 'enabled' },
      ),
      'primary',
      'app',
    );
    assert.deepEqual(spec.listeners, [
      {
        portMapping: { port: 9898, protocol: 'grpc' },
        timeout: { http: { perRequest: { unit: 'ms', value: 30_000 } } },
      },
    ]);
    assert.deepEqual(spec.logging, { accessLog: { file: { path: '/dev/stdout' } } });
    assert.equal(containerPort(canary({ port: 80, targetPort: 'http' })), 80);
  });

  it('use virtual service names and ARNs as backends', () => {
    const arn = 'arn:aws:appmesh:eu-west-1:12345678910:mesh/m/virtualService/backend';
    assert.deepEqual(virtualNodeSpec(canary({ backends: ['backend.test', arn] }), 'canary', 'app').backends, [
      { virtualService: { virtualServiceRef: { name: 'backend.test' } } },
      { virtualService: { virtualServiceARN: arn } },
    ]);
  });
});

describe('App Mesh v1beta2 VirtualRouters', () => {
  it('split the apex router between the canary and primary nodes', () => {
    assert.deepEqual(virtualRouterSpec(canary(), 'apex', split(70, 30)), {
      listeners: [{ portMapping: { port: 9898, protocol: 'http' } }],
      routes: [
        {
          name: 'podinfo',
          httpRoute: {
            match: { prefix: '/' },
            action: {
              weightedTargets: [
                { virtualNodeRef: node('podinfo-canary'), weight: 30 },
                { virtualNodeRef: node('podinfo-primary'), weight: 70 },
              ],
            },
          },
        },
      ],
    });
  });

  it('send everything to the canary node from the canary router, with retries and timeout', () => {
    const spec = virtualRouterSpec(
      canary({
        timeout: '15s',
        retries: { attempts: 3, perTryTimeout: '5s' },
        match: [{ uri: { prefix: '/api' } }],
      }),
      'canary',
      split(100, 0),
    );
    assert.deepEqual(spec.routes, [
      {
        name: 'podinfo-canary',
        httpRoute: {
          match: { prefix: '/api' },
          action: {
            weightedTargets: [
              { virtualNodeRef: node('podinfo-canary'), weight: 100 },
              { virtualNodeRef: node('podinfo-primary'), weight: 0 },
            ],
          },
          retryPolicy: {
            httpRetryEvents: ['gateway-error'],
            maxRetries: 3,
            perRetryTimeout: { unit: 'ms', value: 5000 },
          },
          timeout: { perRequest: { unit: 'ms', value: 15_000 } },
        },
      },
    ]);
  });

  it('route A/B tests by header in front of a primary route', () => {
    const ab = canary({}, { iterations: 10, match: [{ headers: { 'x-user-type': { exact: 'test' } } }] });
    assert.deepEqual(virtualRouterSpec(ab, 'apex', split(0, 100)).routes, [
      {
        name: 'podinfo-a',
        priority: 10,
        httpRoute: {
          match: { prefix: '/', headers: [{ name: 'x-user-type', match: { exact: 'test' } }] },
          action: {
            weightedTargets: [
              { virtualNodeRef: node('podinfo-canary'), weight: 100 },
              { virtualNodeRef: node('podinfo-primary'), weight: 0 },
            ],
          },
        },
      },
      {
        name: 'podinfo-b',
        priority: 20,
        httpRoute: {
          match: { prefix: '/' },
          action: { weightedTargets: [{ virtualNodeRef: node('podinfo-primary'), weight: 100 }] },
        },
      },
    ]);
    assert.equal(virtualRouterSpec(ab, 'canary', split(100, 0)).routes?.length, 1);
  });

  it('read the split back, or say why not', () => {
    const c = canary();
    assert.deepEqual(readVirtualRouter(c, virtualRouterSpec(c, 'apex', split(60, 40))), {
      routes: split(60, 40),
    });
    assert.deepEqual(readVirtualRouter(c, undefined), { problem: 'VirtualRouter routes podinfo not found' });
    assert.deepEqual(readVirtualRouter(c, virtualRouterSpec(c, 'apex', split(0, 0))), {
      problem: 'VirtualRouter podinfo does not contain routes for podinfo-primary and podinfo-canary',
    });
  });
});

describe('App Mesh v1beta2 VirtualServices', () => {
  it('hand their traffic to the router of the same name', () => {
    assert.deepEqual(virtualServiceSpec('podinfo'), {
      provider: { virtualRouter: { virtualRouterRef: { name: 'podinfo' } } },
    });
  });
});
