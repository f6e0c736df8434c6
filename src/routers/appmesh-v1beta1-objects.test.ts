import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../api/canary.ts';
import {
  meshName,
  readVirtualService,
  virtualNodeSpec,
  virtualServiceName,
  virtualServiceSpec,
} from './appmesh-v1beta1-objects.ts';

function canary(service: Partial<CanaryService> = {}, analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, meshName: 'global', ...service },
      analysis: { interval: '1m', ...analysis },
    },
  };
}
const split = (primaryWeight: number, canaryWeight: number) => ({
  primaryWeight,
  canaryWeight,
  mirrored: false,
});

describe('App Mesh v1beta1 objects', () => {
  it('need a mesh name', () => {
    assert.equal(meshName(canary()), 'global');
    assert.throws(() => meshName(canary({ meshName: '' })), /mesh name cannot be empty/);
  });

  it('name the virtual services <service>.<namespace>', () => {
    assert.equal(virtualServiceName(canary(), 'apex'), 'podinfo.test');
    assert.equal(virtualServiceName(canary({ name: 'web' }), 'canary'), 'web-canary.test');
  });

  it('find the apex and primary nodes by the primary DNS name, the canary node by its own', () => {
    const c = canary({ backends: ['backend.test'] });
    assert.deepEqual(virtualNodeSpec(c, 'apex'), {
      meshName: 'global',
      listeners: [{ portMapping: { port: 9898, protocol: 'http' } }],
      serviceDiscovery: { dns: { hostName: 'podinfo-primary.test' } },
      backends: [{ virtualService: { virtualServiceName: 'backend.test' } }],
    });
    assert.equal(virtualNodeSpec(c, 'primary').serviceDiscovery?.dns?.hostName, 'podinfo-primary.test');
    assert.equal(virtualNodeSpec(c, 'canary').serviceDiscovery?.dns?.hostName, 'podinfo-canary.test');
  });

  it('split the apex service with its router inline, retries included', () => {
    assert.deepEqual(
      virtualServiceSpec(canary({ retries: { retryOn: 'server-error' } }), 'apex', split(80, 20)),
      {
        meshName: 'global',
        virtualRouter: { name: 'podinfo', listeners: [{ portMapping: { port: 9898, protocol: 'http' } }] },
        routes: [
          {
            name: 'podinfo',
            http: {
              match: { prefix: '/' },
              retryPolicy: {
                perRetryTimeoutMillis: 250,
                maxRetries: 1,
                httpRetryEvents: ['server-error'],
              },
              action: {
                weightedTargets: [
                  { virtualNodeName: 'podinfo-canary', weight: 20 },
                  { virtualNodeName: 'podinfo-primary', weight: 80 },
                ],
              },
            },
          },
        ],
      },
    );
    const canaryService = virtualServiceSpec(canary(), 'canary', split(100, 0));
    assert.equal(canaryService.virtualRouter?.name, 'podinfo-canary');
    assert.deepEqual(canaryService.routes?.[0]?.http?.action.weightedTargets, [
      { virtualNodeName: 'podinfo-canary', weight: 100 },
      { virtualNodeName: 'podinfo-primary', weight: 0 },
    ]);
  });

  it('route A/B tests by header in front of a primary route', () => {
    const ab = canary({}, { iterations: 10, match: [{ headers: { 'x-canary': { prefix: 'yes' } } }] });
    const routes = virtualServiceSpec(ab, 'apex', split(100, 0)).routes ?? [];
    assert.deepEqual(
      routes.map(route => [route.name, route.priority, route.http?.match]),
      [
        ['podinfo-a', 10, { prefix: '/', headers: [{ name: 'x-canary', match: { prefix: 'yes' } }] }],
        ['podinfo-b', 20, { prefix: '/' }],
      ],
    );
    assert.deepEqual(routes[1]?.http?.action.weightedTargets, [
      { virtualNodeName: 'podinfo-primary', weight: 100 },
    ]);
  });

  it('read the split back, or say why not', () => {
    const c = canary();
    assert.deepEqual(readVirtualService(c, virtualServiceSpec(c, 'apex', split(90, 10))), {
      routes: split(90, 10),
    });
    assert.deepEqual(readVirtualService(c, { meshName: 'global' }), {
      problem: 'VirtualService routes podinfo.test not found',
    });
    assert.deepEqual(readVirtualService(c, virtualServiceSpec(c, 'apex', split(0, 0))), {
      problem: 'VirtualService podinfo.test does not contain routes for podinfo-primary and podinfo-canary',
    });
  });
});
