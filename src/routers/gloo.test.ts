import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { upstreamNames, upstreamSpec } from './gloo-upstreams.ts';
import { headerMatchers, readRouteTable, routeTableSpec } from './gloo.ts';

const canary: Canary = {
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { port: 9898 },
    analysis: { interval: '1m' },
  },
};
const split = (primaryWeight: number, canaryWeight: number) => ({
  primaryWeight,
  canaryWeight,
  mirrored: false,
});
const upstream = (name: string) => ({ upstream: { name, namespace: 'test' } });

describe('routeTableSpec', () => {
  it('weighs the primary and canary upstreams, leaving a zero weight out', () => {
    assert.deepEqual(routeTableSpec(canary, split(100, 0)), {
      routes: [
        {
          routeAction: {
            multi: {
              destinations: [
                { destination: upstream('test-podinfo-primaryupstream-9898'), weight: 100 },
                { destination: upstream('test-podinfo-canaryupstream-9898') },
              ],
            },
          },
          inheritablePathMatchers: true,
        },
      ],
    });
  });

  it('matches the A/B headers, and reads the split back', () => {
    const ab: Canary = {
      ...canary,
      spec: {
        ...canary.spec,
        analysis: { interval: '1m', match: [{ headers: { 'x-canary': { exact: 'insider' } } }] },
      },
    };
    const spec = routeTableSpec(ab, split(0, 100));
    assert.deepEqual(spec.routes[0]?.matchers, [{ headers: [{ name: 'x-canary', value: 'insider' }] }]);
    assert.deepEqual(readRouteTable(ab, spec), split(0, 100));
    assert.equal(readRouteTable(ab, { routes: [] }), undefined);
  });
});

describe('headerMatchers', () => {
  it('writes exact and regex values, sorted by name, and a presence test for prefix and suffix', () => {
    assert.deepEqual(
      headerMatchers([
        { headers: { 'user-agent': { regex: '.*Firefox.*' }, cookie: { suffix: 'canary' } } },
        { headers: { 'x-canary': { exact: 'always' } } },
      ]),
      [
        { name: 'cookie' },
        { name: 'user-agent', value: '.*Firefox.*', regex: true },
        { name: 'x-canary', value: 'always' },
      ],
    );
  });
});

describe('upstreams', () => {
  it('names them after namespace, apex and port', () => {
    assert.deepEqual(upstreamNames(canary), {
      primary: 'test-podinfo-primaryupstream-9898',
      canary: 'test-podinfo-canaryupstream-9898',
    });
  });

  it('points at the Service with its selector and copies only the known upstreamRef settings', () => {
    const service = { metadata: { name: 'podinfo-primary' }, spec: { selector: { app: 'podinfo-primary' } } };
    const settings = {
      kube: { serviceName: 'x', serviceNamespace: 'y', servicePort: 1 },
      labels: { a: 'b' },
      loadBalancerConfig: { roundRobin: { slowStartConfig: { slowStartWindow: '10s' } } },
      useHttp2: true,
      static: { hosts: [] },
    };
    assert.deepEqual(upstreamSpec(canary, service, settings), {
      kube: {
        serviceName: 'podinfo-primary',
        serviceNamespace: 'test',
        servicePort: 9898,
        selector: { app: 'podinfo-primary' },
      },
      loadBalancerConfig: { roundRobin: { slowStartConfig: { slowStartWindow: '10s' } } },
      useHttp2: true,
    });
  });
});
