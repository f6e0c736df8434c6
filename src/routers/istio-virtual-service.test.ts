import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../api/canary.ts';
import { KUBECTL_ANNOTATION } from '../api/generated-objects.ts';
import { readRoutes, routeLayout } from './istio-routes.ts';
import type { VirtualService } from './istio-types.ts';
import {
  ORIGINAL_CONFIGURATION_ANNOTATION,
  updateVirtualService,
  virtualServiceProblem,
  virtualServiceSpec,
} from './istio-virtual-service.ts';
import { currentCookies, type AffinityCookies } from './session-affinity.ts';
import type { Routes } from './types.ts';

const P = 'podinfo-primary';
const C = 'podinfo-canary';
const noCookies = currentCookies(undefined);
const split = (primaryWeight: number, canaryWeight: number, mirrored = false): Routes => ({
  primaryWeight,
  canaryWeight,
  mirrored,
});

function canary(service: Partial<CanaryService> = {}, analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test', uid: 'uid-1' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, ...service },
      analysis: { interval: '1m', stepWeight: 10, ...analysis },
    },
  };
}

const dest = (host: string, weight: number) => ({ destination: { host }, weight });

describe('virtualServiceSpec', () => {
  it('routes the apex host on the mesh gateway to the primary', () => {
    assert.deepEqual(virtualServiceSpec(canary(), split(100, 0), noCookies), {
      hosts: ['podinfo'],
      gateways: ['mesh'],
      http: [{ route: [dest(P, 100), dest(C, 0)] }],
    });
  });

  it('adds the apex host unless it or * is listed, and keeps the gateways given', () => {
    const spec = (hosts: string[]) =>
      virtualServiceSpec(canary({ hosts, gateways: ['public/gw'] }), split(100, 0), noCookies);
    assert.deepEqual(spec(['app.example.com']).hosts, ['app.example.com', 'podinfo']);
    assert.deepEqual(spec(['podinfo', 'x.example.com']).hosts, ['podinfo', 'x.example.com']);
    assert.deepEqual(spec(['*']).hosts, ['*']);
    assert.deepEqual(spec([]).gateways, ['public/gw']);
  });

  it('copies the service route settings onto the route', () => {
    const service: Partial<CanaryService> = {
      match: [{ uri: { prefix: '/api' } }],
      rewrite: { uri: '/', type: 'ReplacePrefixMatch' },
      timeout: '5s',
      retries: { attempts: 3, perTryTimeout: '1s', retryOn: 'gateway-error' },
      corsPolicy: { allowOrigin: ['example.com'], allowMethods: ['GET', 'POST'] },
      headers: { request: { add: { 'x-envoy-upstream-rq-timeout-ms': '15000' } } },
    };
    const [route] = virtualServiceSpec(canary(service), split(100, 0), noCookies).http ?? [];
    assert.deepEqual(route, {
      match: service.match,
      rewrite: { uri: '/' },
      timeout: '5s',
      retries: service.retries,
      corsPolicy: service.corsPolicy,
      headers: service.headers,
      route: [dest(P, 100), dest(C, 0)],
    });
  });

  it('makes a delegate VirtualService without hosts and gateways, naming the port with portDiscovery', () => {
    const spec = virtualServiceSpec(
      canary({ delegation: true, portDiscovery: true }),
      split(100, 0),
      noCookies,
    );
    assert.deepEqual(spec, {
      http: [
        {
          route: [
            { destination: { host: P, port: { number: 9898 } }, weight: 100 },
            { destination: { host: C, port: { number: 9898 } }, weight: 0 },
          ],
        },
      ],
    });
    assert.equal(virtualServiceProblem(canary({ delegation: true })), undefined);
    assert.equal(
      virtualServiceProblem(canary({ delegation: true, hosts: ['a.example.com'] })),
      'VirtualService podinfo.test cannot have hosts and gateways when delegation enabled',
    );
  });

  it('names the port with portDiscovery behind a gateway other than mesh only', () => {
    const port = (gateways: string[]) =>
      routeLayout(canary({ portDiscovery: true, gateways }), split(100, 0), noCookies).http?.[0]?.route?.[0]
        ?.destination.port;
    assert.deepEqual(port(['public/gw', 'mesh']), { number: 9898 });
    assert.equal(port(['mesh', 'public/gw']), undefined);
    assert.equal(port([]), undefined);
  });
});

describe('routeLayout', () => {
  it('sets the weights', () => {
    assert.deepEqual(routeLayout(canary(), split(60, 40), noCookies), {
      http: [{ route: [dest(P, 60), dest(C, 40)] }],
    });
  });

  it('mirrors to the canary, with a percentage only when mirrorWeight is set', () => {
    const [plain] = routeLayout(canary(), split(100, 0, true), noCookies).http ?? [];
    assert.deepEqual(plain?.mirror, { host: C });
    assert.equal(plain.mirrorPercentage, undefined);
    const [weighted] =
      routeLayout(canary({}, { mirrorWeight: 50 }), split(100, 0, true), noCookies).http ?? [];
    assert.deepEqual(weighted?.mirrorPercentage, { value: 50 });
  });

  it('splits A/B tests into a route for matching requests and a default route with the primary weight', () => {
    const ab = canary(
      { match: [{ uri: { prefix: '/podinfo' }, method: { exact: 'GET' }, ignoreUriCase: true }] },
      {
        iterations: 10,
        match: [
          { headers: { 'x-user-type': { exact: 'test' } } },
          { headers: { 'x-session-id': { exact: 'test' } }, queryParams: { beta: { exact: '1' } } },
        ],
      },
    );
    const { http } = routeLayout(ab, split(0, 100, true), noCookies);
    assert.deepEqual(http, [
      {
        match: [
          {
            uri: { prefix: '/podinfo' },
            method: { exact: 'GET' },
            ignoreUriCase: true,
            headers: { 'x-user-type': { exact: 'test' } },
          },
          {
            uri: { prefix: '/podinfo' },
            method: { exact: 'GET' },
            ignoreUriCase: true,
            headers: { 'x-session-id': { exact: 'test' } },
            queryParams: { beta: { exact: '1' } },
          },
        ],
        route: [dest(P, 0), dest(C, 100)],
      },
      // Flagger writes the primary weight on the default route: 0 while the test runs.
      { match: ab.spec.service?.match, route: [dest(P, 0)] },
    ]);
    assert.deepEqual(readRoutes(ab, { http }), split(0, 100));
    assert.deepEqual(routeLayout(ab, split(100, 0), noCookies).http?.[1]?.route, [dest(P, 100)]);
  });

  it('uses the analysis matches alone when the service has none', () => {
    const ab = canary({}, { iterations: 2, match: [{ headers: { 'x-canary': { regex: '.*insider.*' } } }] });
    const { http } = routeLayout(ab, split(100, 0), noCookies);
    assert.deepEqual(http?.[0]?.match, [{ headers: { 'x-canary': { regex: '.*insider.*' } } }]);
    assert.deepEqual(http[1], { route: [dest(P, 100)] });
  });

  it('makes TCP routes with the service match ports when appProtocol is tcp', () => {
    const tcp = canary({ appProtocol: 'TCP', match: [{ port: 9898 }], gateways: ['mesh'] });
    const layout = routeLayout(tcp, split(60, 40, true), noCookies);
    assert.deepEqual(layout, { tcp: [{ match: [{ port: 9898 }], route: [dest(P, 60), dest(C, 40)] }] });
    assert.deepEqual(readRoutes(tcp, layout), split(60, 40));
  });
});

describe('routeLayout with session affinity', () => {
  const affinity = { cookieName: 'flagger-cookie', primaryCookieName: 'primary-cookie', maxAge: 300 };
  const sticky = canary(
    { match: [{ uri: { prefix: '/app' } }] },
    { sessionAffinity: affinity, interval: '2m' },
  );
  const cookies: AffinityCookies = {
    sessionAffinityCookie: 'flagger-cookie=CanaryCook',
    primarySessionAffinityCookie: 'primary-cookie=PrimaryCoo',
    previousSessionAffinityCookie: '',
  };

  it('puts the sticky routes before the weighted one while the canary takes traffic', () => {
    const { http } = routeLayout(sticky, split(90, 10), cookies);
    const match = (cookie: string) => [{ uri: { prefix: '/app' }, headers: { Cookie: { regex: cookie } } }];
    const setCookie = (value: string) => ({ response: { add: { 'Set-Cookie': value } } });
    assert.deepEqual(http, [
      {
        match: match('.*flagger-cookie.*CanaryCook.*'),
        route: [dest(P, 0), dest(C, 100)],
      },
      {
        match: match('.*primary-cookie.*PrimaryCoo.*'),
        route: [dest(P, 100), dest(C, 0)],
      },
      {
        match: [{ uri: { prefix: '/app' } }],
        route: [
          { ...dest(P, 90), headers: setCookie('primary-cookie=PrimaryCoo; Max-Age=120') },
          { ...dest(C, 10), headers: setCookie('flagger-cookie=CanaryCook; Max-Age=300') },
        ],
      },
    ]);
    assert.deepEqual(readRoutes(sticky, { http }), split(90, 10));
  });

  it('expires the previous cookie once the canary is back at 0, without touching the spec headers', () => {
    const headers = { response: { add: { 'x-app': 'podinfo' } } };
    const withHeaders = canary({ headers }, { sessionAffinity: affinity });
    const previous = { ...noCookies, previousSessionAffinityCookie: 'flagger-cookie=CanaryCook' };
    const { http } = routeLayout(withHeaders, split(100, 0), previous);
    assert.equal(http?.length, 2);
    assert.deepEqual(http[0]?.match, [{ headers: { Cookie: { regex: '.*flagger-cookie.*CanaryCook.*' } } }]);
    assert.deepEqual(http[0].route, [dest(P, 100), dest(C, 0)]);
    assert.deepEqual(http[0].headers, {
      response: { add: { 'x-app': 'podinfo', 'Set-Cookie': 'flagger-cookie=CanaryCook; Max-Age=-1' } },
    });
    assert.deepEqual(http[1], { headers, route: [dest(P, 100), dest(C, 0)] });
    assert.deepEqual(headers, { response: { add: { 'x-app': 'podinfo' } } });
  });

  it('puts a copy of the weighted route in front at weight 0 when there is no previous cookie, as Flagger', () => {
    const weighted = { route: [dest(P, 100), dest(C, 0)] };
    const withAffinity = canary({}, { sessionAffinity: affinity });
    assert.deepEqual(routeLayout(withAffinity, split(100, 0), noCookies).http, [weighted, weighted]);
    assert.deepEqual(readRoutes(withAffinity, { http: [weighted, weighted] }), split(100, 0));
  });

  it("has no cookie routes without cookies, as Flagger's reconcile", () => {
    assert.deepEqual(routeLayout(sticky, split(100, 0), undefined).http, [
      { match: [{ uri: { prefix: '/app' } }], route: [dest(P, 100), dest(C, 0)] },
    ]);
  });

  it('mirrors on the first route, as Flagger, and reads the mirror back from there', () => {
    const { http } = routeLayout(sticky, split(100, 0, true), noCookies);
    assert.deepEqual(http?.[0]?.mirror, { host: C });
    assert.equal(http[1]?.mirror, undefined);
    assert.deepEqual(readRoutes(sticky, { http }), split(100, 0, true));
  });
});

describe('readRoutes', () => {
  it('finds no split in a VirtualService without primary and canary routes', () => {
    assert.equal(readRoutes(canary(), { http: [{ route: [dest('podinfo', 100)] }] }), undefined);
    assert.equal(readRoutes(canary(), undefined), undefined);
  });

  it('reads a weight Flagger left out (zero) as 0', () => {
    const spec = { http: [{ route: [dest(P, 100), { destination: { host: C } }] }] };
    assert.deepEqual(readRoutes(canary(), spec), split(100, 0));
  });
});

describe('updateVirtualService', () => {
  const c = canary();
  const desired = virtualServiceSpec(c, split(100, 0), undefined);
  const rebuild = () => routeLayout(c, split(70, 30), noCookies);
  const FLUX = {
    'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
    'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
  };
  const ours = (spec = desired): VirtualService => ({
    metadata: {
      name: 'podinfo',
      annotations: { ...FLUX },
      ownerReferences: [
        {
          apiVersion: 'flagger.app/v1beta1',
          kind: 'Canary',
          name: 'podinfo',
          uid: 'uid-1',
          controller: true,
        },
      ],
    },
    spec: structuredClone(spec),
  });

  it('ignores weights and mirrors', () => {
    const current = ours(virtualServiceSpec(c, split(70, 30, true), noCookies));
    assert.equal(updateVirtualService(current, c, desired, rebuild), false);
  });

  it('ignores the cookie routes, cookie headers and the copy of the weighted route with session affinity', () => {
    const sticky = canary({}, { sessionAffinity: { cookieName: 'k', primaryCookieName: 'p' } });
    const stickyDesired = virtualServiceSpec(sticky, split(100, 0), undefined);
    const cookies = {
      sessionAffinityCookie: 'k=abcdefghij',
      primarySessionAffinityCookie: 'p=abcdefghij',
      previousSessionAffinityCookie: '',
    };
    for (const [routes, withCookies, routeCount] of [
      [split(80, 20), cookies, 3],
      [split(100, 0), { ...noCookies, previousSessionAffinityCookie: 'k=abcdefghij' }, 2],
      [split(100, 0), noCookies, 2],
    ] as const) {
      const current = ours(virtualServiceSpec(sticky, routes, withCookies));
      assert.equal(current.spec?.http?.length, routeCount);
      assert.equal(updateVirtualService(current, sticky, stickyDesired, rebuild), false);
    }
  });

  it('rewrites a changed spec with the split it is given, without storing our own spec', () => {
    const current = ours({ ...desired, gateways: ['mesh', 'extra/gw'] });
    assert.equal(updateVirtualService(current, c, desired, rebuild), true);
    assert.deepEqual(current.spec, { ...desired, http: [{ route: [dest(P, 70), dest(C, 30)] }] });
    assert.equal(current.metadata?.annotations?.[ORIGINAL_CONFIGURATION_ANNOTATION], undefined);
  });

  it("stores a taken-over VirtualService's spec once, keeping it over later changes", () => {
    const userSpec = { hosts: ['podinfo'], http: [{ route: [{ destination: { host: 'podinfo' } }] }] };
    const current: VirtualService = { metadata: { name: 'podinfo', labels: { team: 'a' } }, spec: userSpec };
    assert.equal(updateVirtualService(current, c, desired, rebuild), true);
    assert.equal(
      current.metadata?.annotations?.[ORIGINAL_CONFIGURATION_ANNOTATION],
      JSON.stringify(userSpec),
    );
    assert.deepEqual(current.metadata.labels, {});
    const changed = virtualServiceSpec(canary({ timeout: '3s' }), split(100, 0), noCookies);
    assert.equal(updateVirtualService(current, canary({ timeout: '3s' }), changed, rebuild), true);
    assert.equal(current.metadata.annotations[ORIGINAL_CONFIGURATION_ANNOTATION], JSON.stringify(userSpec));
  });

  it("relies on kubectl's annotation when there is one", () => {
    const current: VirtualService = {
      metadata: { name: 'podinfo', annotations: { [KUBECTL_ANNOTATION]: '{"spec":{}}' } },
      spec: { hosts: ['podinfo'] },
    };
    assert.equal(updateVirtualService(current, c, desired, rebuild), true);
    assert.deepEqual(current.metadata?.annotations, { [KUBECTL_ANNOTATION]: '{"spec":{}}', ...FLUX });
  });

  it('puts the apex labels and annotations on the VirtualService', () => {
    const apex = canary({ apex: { labels: { tier: 'web' }, annotations: { note: 'x' } } });
    const current = ours();
    assert.equal(updateVirtualService(current, apex, desired, rebuild), true);
    assert.deepEqual(current.metadata?.labels, { tier: 'web' });
    assert.deepEqual(current.metadata.annotations, { note: 'x', ...FLUX });
    assert.deepEqual(current.spec, desired);
  });
});
