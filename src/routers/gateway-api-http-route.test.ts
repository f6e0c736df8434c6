import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../api/canary.ts';
import { corsProblems } from './gateway-api-filters.ts';
import {
  httpRouteProblem,
  httpRouteSpec,
  newHttpRoute,
  parentProblem,
  ruleLayout,
  updateHttpRoute,
} from './gateway-api-http-route.ts';
import { GATEWAY_API_V1, type HttpRoute } from './gateway-api-types.ts';
import { currentCookies } from './session-affinity.ts';
import type { Routes } from './types.ts';

const noCookies = currentCookies(undefined);
const FLUX = {
  'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
  'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
};
const split = (primaryWeight: number, canaryWeight: number, mirrored = false): Routes => ({
  primaryWeight,
  canaryWeight,
  mirrored,
});
const PARENT = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'infra' };

function canary(service: Partial<CanaryService> = {}, analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test', uid: 'uid-1' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, gatewayRefs: [{ name: 'gw', namespace: 'infra' }], ...service },
      analysis: { interval: '1m', stepWeight: 10, ...analysis },
    },
  };
}

const routeFor = (c: Canary, routes: Routes, annotations: Record<string, string> = FLUX): HttpRoute => ({
  ...newHttpRoute(c, httpRouteSpec(c, routes, noCookies, GATEWAY_API_V1), GATEWAY_API_V1),
  metadata: { name: 'podinfo', namespace: 'test', annotations },
});

describe('httpRouteSpec and newHttpRoute', () => {
  it('attaches to the gatewayRefs with their defaults and serves the hosts', () => {
    const c = canary({
      hosts: ['app.example.com'],
      apex: { labels: { tier: 'web' }, annotations: { a: '1' } },
    });
    const route = newHttpRoute(c, httpRouteSpec(c, split(100, 0), noCookies, GATEWAY_API_V1), GATEWAY_API_V1);
    assert.deepEqual(route, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: 'podinfo',
        namespace: 'test',
        labels: { tier: 'web' },
        annotations: { a: '1', ...FLUX },
      },
      spec: {
        parentRefs: [PARENT],
        hostnames: ['app.example.com'],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: [
              { group: '', kind: 'Service', name: 'podinfo-primary', port: 9898, weight: 100 },
              { group: '', kind: 'Service', name: 'podinfo-canary', port: 9898, weight: 0 },
            ],
          },
        ],
      },
    });
  });

  it('requires gatewayRefs', () => {
    assert.equal(
      httpRouteProblem(canary({ gatewayRefs: [] })),
      'GatewayRefs must be specified when using Gateway API as a provider.',
    );
    assert.equal(httpRouteProblem(canary()), undefined);
  });

  it("prefixes match errors with Flagger's message", () => {
    const bad = canary({ match: [{ uri: { prefix: '' } }] });
    assert.throws(
      () => ruleLayout(bad, split(100, 0), noCookies, GATEWAY_API_V1),
      /^Error: Invalid request matching selectors: Gateway API/,
    );
  });
});

describe('updateHttpRoute', () => {
  const rebuildTo = (c: Canary, routes: Routes) => () => ruleLayout(c, routes, noCookies, GATEWAY_API_V1);

  it('leaves a route alone when only the weights and the blue/green mirror differ', () => {
    const c = canary({}, { iterations: 5, mirror: true });
    const current = routeFor(c, split(0, 100, true));
    const desired = httpRouteSpec(c, split(100, 0), noCookies, GATEWAY_API_V1);
    assert.equal(updateHttpRoute(current, c, desired, GATEWAY_API_V1, rebuildTo(c, split(100, 0))), false);
  });

  it('ignores the cookie rules, backend cookies and the copy of the weighted rule with session affinity', () => {
    const c = canary({}, { sessionAffinity: { cookieName: 'flagger-cookie' } });
    const desired = httpRouteSpec(c, split(100, 0), undefined, GATEWAY_API_V1);
    assert.equal(desired.rules?.length, 1);
    for (const [routes, cookies] of [
      [split(90, 10), { ...noCookies, sessionAffinityCookie: 'flagger-cookie=abcdefghij' }],
      [split(100, 0), { ...noCookies, previousSessionAffinityCookie: 'flagger-cookie=abcdefghij' }],
      [split(100, 0), noCookies],
    ] as const) {
      const current: HttpRoute = {
        ...routeFor(c, split(100, 0)),
        spec: httpRouteSpec(c, routes, cookies, GATEWAY_API_V1),
      };
      assert.equal(current.spec?.rules?.length, 2);
      assert.equal(updateHttpRoute(current, c, desired, GATEWAY_API_V1, rebuildTo(c, split(100, 0))), false);
    }
  });

  it('rewrites a changed spec with the split it had, keeping foreign annotations', () => {
    const before = canary();
    const current = routeFor(before, split(70, 30), { ...FLUX, 'other-controller/id': 'x' });
    const after = canary({ timeout: '5s', apex: { labels: { tier: 'web' } } });
    const desired = httpRouteSpec(after, split(100, 0), noCookies, GATEWAY_API_V1);
    assert.equal(
      updateHttpRoute(current, after, desired, GATEWAY_API_V1, rebuildTo(after, split(70, 30))),
      true,
    );
    assert.deepEqual(current.spec, httpRouteSpec(after, split(70, 30), noCookies, GATEWAY_API_V1));
    assert.deepEqual(current.metadata?.labels, { tier: 'web' });
    assert.deepEqual(current.metadata.annotations, { ...FLUX, 'other-controller/id': 'x' });
  });

  it('takes over a route with other rules', () => {
    const c = canary();
    const current: HttpRoute = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'podinfo', namespace: 'test' },
      spec: { parentRefs: [PARENT], rules: [{ backendRefs: [{ name: 'podinfo', port: 9898 }] }] },
    };
    const desired = httpRouteSpec(c, split(100, 0), noCookies, GATEWAY_API_V1);
    assert.equal(updateHttpRoute(current, c, desired, GATEWAY_API_V1, rebuildTo(c, split(100, 0))), true);
    assert.deepEqual(current.spec, desired);
    assert.deepEqual(current.metadata?.annotations, FLUX);
  });
});

describe('parentProblem', () => {
  const route = (conditions: { type: string; status: string; observedGeneration?: number }[]): HttpRoute => ({
    metadata: { name: 'podinfo', namespace: 'test', generation: 2 },
    spec: { parentRefs: [PARENT] },
    // The status names the parent without the defaults: it still is the same parent.
    status: { parents: [{ parentRef: { name: 'gw', namespace: 'infra' }, conditions }] },
  });

  it('accepts parents that accepted the current generation, and routes without status', () => {
    assert.equal(
      parentProblem(route([{ type: 'Accepted', status: 'True', observedGeneration: 2 }])),
      undefined,
    );
    assert.equal(parentProblem({ spec: { parentRefs: [PARENT] } }), undefined);
    assert.equal(
      parentProblem(route([{ type: 'ResolvedRefs', status: 'False', observedGeneration: 1 }])),
      undefined,
    );
  });

  it('reports a parent that did not accept the route, or accepted an older generation', () => {
    assert.equal(
      parentProblem(route([{ type: 'Accepted', status: 'False', observedGeneration: 2 }])),
      'HTTPRoute podinfo.test parent gw is not ready (status: False, observed generation: 2, current generation: 2)',
    );
    assert.match(
      parentProblem(route([{ type: 'Accepted', status: 'True', observedGeneration: 1 }])) ?? '',
      /status: True, observed generation: 1, current generation: 2/,
    );
  });

  it('ignores the status of other parents', () => {
    const other = route([{ type: 'Accepted', status: 'False' }]);
    other.spec = { parentRefs: [{ ...PARENT, sectionName: 'https' }] };
    assert.equal(parentProblem(other), undefined);
  });
});

describe('corsProblems', () => {
  it('reports allowOrigins string matches and a bad maxAge', () => {
    assert.deepEqual(corsProblems({ port: 80, corsPolicy: { allowOrigin: ['*'], maxAge: '1h' } }), []);
    assert.equal(
      corsProblems({ port: 80, corsPolicy: { allowOrigins: [{ exact: 'a' }], maxAge: 'soon' } }).length,
      2,
    );
  });
});
