import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, Service } from '../kube/types.ts';
import type { VirtualService } from '../routers/istio-types.ts';
import { imageTag, pickRoute, resolveRoutes, type Route } from './mesh-routes.ts';

const service = (name: string, app: string): Service => ({
  metadata: { name, namespace: 'test' },
  spec: { selector: { app } },
});

const deployment = (name: string, image: string, readyReplicas = 1): Deployment => ({
  metadata: { name, namespace: 'test' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
  },
  status: { readyReplicas },
});

const services = new Map([
  ['podinfo-primary', service('podinfo-primary', 'podinfo-primary')],
  ['podinfo-canary', service('podinfo-canary', 'podinfo')],
]);
const deployments = [
  deployment('podinfo-primary', 'ghcr.io/stefanprodan/podinfo:6.0.1'),
  deployment('podinfo', 'ghcr.io/stefanprodan/podinfo:6.0.2', 0),
];

function virtualService(http: NonNullable<VirtualService['spec']>['http']): VirtualService {
  return { metadata: { name: 'podinfo', namespace: 'test' }, spec: { hosts: ['podinfo'], http } };
}

describe('resolveRoutes', () => {
  it('resolves each weighted destination to the Deployment its Service selects, with its image tag', () => {
    const vs = virtualService([
      {
        route: [
          { destination: { host: 'podinfo-primary' }, weight: 80 },
          { destination: { host: 'podinfo-canary.test.svc.cluster.local' }, weight: 20 },
        ],
      },
    ]);
    assert.deepEqual(
      resolveRoutes('podinfo', vs, name => services.get(name), deployments),
      [
        { workload: 'podinfo-primary', version: '6.0.1', weight: 80, ready: true },
        { workload: 'podinfo', version: '6.0.2', weight: 20, ready: false },
      ],
    );
  });

  it('follows the match-less route, gives a lone destination all traffic, and drops unknown hosts', () => {
    for (const weight of [undefined, 0]) {
      const vs = virtualService([
        { match: [{ headers: { 'x-canary': { exact: 'insider' } } }], route: [] },
        { route: [{ destination: { host: 'podinfo-primary' }, weight }] },
      ]);
      assert.deepEqual(
        resolveRoutes('podinfo', vs, name => services.get(name), deployments).map(r => [
          r.workload,
          r.weight,
        ]),
        [['podinfo-primary', 100]],
      );
    }
    const unknown = virtualService([{ route: [{ destination: { host: 'elsewhere' }, weight: 100 }] }]);
    assert.deepEqual(
      resolveRoutes('podinfo', unknown, name => services.get(name), deployments),
      [],
    );
  });

  it('without a VirtualService, sends everything to the Service named like the host', () => {
    const withApex = new Map([...services, ['podinfo', service('podinfo', 'podinfo')]]);
    assert.deepEqual(
      resolveRoutes('podinfo', undefined, name => withApex.get(name), deployments),
      [{ workload: 'podinfo', version: '6.0.2', weight: 100, ready: false }],
    );
    assert.deepEqual(
      resolveRoutes('podinfo', undefined, name => services.get(name), deployments),
      [],
    );
  });
});

describe('pickRoute', () => {
  const route = (workload: string, weight: number): Route => ({
    workload,
    version: '1',
    weight,
    ready: true,
  });

  it('picks in proportion to the weights and never a route of weight 0', () => {
    const routes = [route('primary', 90), route('idle', 0), route('canary', 10)];
    assert.equal(pickRoute(routes, 0)?.workload, 'primary');
    assert.equal(pickRoute(routes, 0.899)?.workload, 'primary');
    assert.equal(pickRoute(routes, 0.9)?.workload, 'canary');
    assert.equal(pickRoute(routes, 0.999)?.workload, 'canary');
    assert.equal(pickRoute([route('idle', 0)], 0.5), undefined);
    assert.equal(pickRoute([], 0.5), undefined);
  });
});

describe('imageTag', () => {
  it('is the tag of the image reference, "latest" without one', () => {
    assert.equal(imageTag('ghcr.io/stefanprodan/podinfo:6.0.1'), '6.0.1');
    assert.equal(imageTag('localhost:5000/podinfo'), 'latest');
    assert.equal(imageTag('podinfo:6.0.2@sha256:abc'), '6.0.2');
  });
});
