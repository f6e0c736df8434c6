import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../api/canary.ts';
import { readRoutes, routeRules } from './gateway-api-routes.ts';
import { GATEWAY_API_V1, GATEWAY_API_V1BETA1 } from './gateway-api-types.ts';
import { currentCookies, type AffinityCookies } from './session-affinity.ts';
import type { Routes } from './types.ts';

const noCookies = currentCookies(undefined);
const split = (primaryWeight: number, canaryWeight: number, mirrored = false): Routes => ({
  primaryWeight,
  canaryWeight,
  mirrored,
});
const backend = (name: string, weight: number) => ({ group: '', kind: 'Service', name, port: 9898, weight });
const primary = (weight: number) => backend('podinfo-primary', weight);
const canaryRef = (weight: number) => backend('podinfo-canary', weight);
const ROOT = [{ path: { type: 'PathPrefix', value: '/' } }];

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

describe('routeRules', () => {
  it('routes everything under / by weight', () => {
    assert.deepEqual(routeRules(canary(), split(60, 40), noCookies, GATEWAY_API_V1), [
      { matches: ROOT, backendRefs: [primary(60), canaryRef(40)] },
    ]);
  });

  it('turns the service settings into filters and (v1 only) timeouts', () => {
    const service: Partial<CanaryService> = {
      timeout: '30s',
      backendTimeout: '10s',
      match: [{ uri: { prefix: '/api' } }],
      headers: {
        request: { add: { 'x-b': '2', 'x-a': '1' }, set: { 'x-c': '3' }, remove: ['x-d'] },
        response: { remove: ['server'] },
      },
      rewrite: { uri: '/v2', authority: 'internal.example.com', type: 'ReplacePrefixMatch' },
      mirror: [{ backendRef: { name: 'shadow', port: 80 } }],
      corsPolicy: {
        allowOrigin: ['https://a.example'],
        allowMethods: ['GET'],
        maxAge: '24h',
        allowCredentials: true,
      },
    };
    const filters = [
      {
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          add: [
            { name: 'x-a', value: '1' },
            { name: 'x-b', value: '2' },
          ],
          set: [{ name: 'x-c', value: '3' }],
          remove: ['x-d'],
        },
      },
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['server'] } },
      {
        type: 'URLRewrite',
        urlRewrite: {
          hostname: 'internal.example.com',
          path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' },
        },
      },
      {
        type: 'RequestMirror',
        requestMirror: { backendRef: { group: '', kind: 'Service', name: 'shadow', port: 80 } },
      },
    ];
    const matches = [{ path: { type: 'PathPrefix', value: '/api' } }];
    const backendRefs = [primary(100), canaryRef(0)];
    assert.deepEqual(routeRules(canary(service), split(100, 0), noCookies, GATEWAY_API_V1), [
      {
        matches,
        filters: [
          ...filters,
          {
            type: 'CORS',
            cors: {
              allowOrigins: ['https://a.example'],
              allowMethods: ['GET'],
              maxAge: 86400,
              allowCredentials: true,
            },
          },
        ],
        backendRefs,
        timeouts: { request: '30s', backendRequest: '10s' },
      },
    ]);
    assert.deepEqual(routeRules(canary(service), split(100, 0), noCookies, GATEWAY_API_V1BETA1), [
      { matches, filters, backendRefs },
    ]);
  });

  it('rewrites the full path unless the type says prefix', () => {
    const [rule] = routeRules(canary({ rewrite: { uri: '/' } }), split(100, 0), noCookies, GATEWAY_API_V1);
    assert.deepEqual(rule?.filters, [
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/' } } },
    ]);
  });

  it('routes A/B tests: matching requests by weight, the rest to the primary at 100, as Flagger', () => {
    const ab = canary(
      { match: [{ uri: { prefix: '/api' } }], timeout: '5s' },
      { iterations: 10, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] },
    );
    const service = [{ path: { type: 'PathPrefix', value: '/api' } }];
    assert.deepEqual(routeRules(ab, split(0, 100), noCookies, GATEWAY_API_V1), [
      {
        matches: [{ ...service[0], headers: [{ type: 'Exact', name: 'x-canary', value: 'insider' }] }],
        backendRefs: [primary(0), canaryRef(100)],
        timeouts: { request: '5s' },
      },
      { matches: service, backendRefs: [primary(100)], timeouts: { request: '5s' } },
    ]);
  });

  it('gives each match its own rule where the rewrite replaces a path prefix, which takes only one', () => {
    const ab = canary(
      { match: [{ uri: { prefix: '/api' } }], rewrite: { uri: '/', type: 'ReplacePrefixMatch' } },
      { iterations: 10, match: [{ headers: { a: { exact: '1' } } }, { headers: { b: { exact: '2' } } }] },
    );
    const filters = [
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
    ];
    const api = { type: 'PathPrefix', value: '/api' };
    const header = (name: string, value: string) => [{ type: 'Exact', name, value }];
    const rules = routeRules(ab, split(0, 100), noCookies, GATEWAY_API_V1);
    assert.deepEqual(rules, [
      {
        matches: [{ path: api, headers: header('a', '1') }],
        filters,
        backendRefs: [primary(0), canaryRef(100)],
      },
      {
        matches: [{ path: api, headers: header('b', '2') }],
        filters,
        backendRefs: [primary(0), canaryRef(100)],
      },
      { matches: [{ path: api }], filters, backendRefs: [primary(100)] },
    ]);
    assert.deepEqual(readRoutes(ab, rules, GATEWAY_API_V1), split(0, 100));
    const replaceFullPath = canary({ ...ab.spec.service, rewrite: { uri: '/' } }, ab.spec.analysis);
    assert.equal(
      routeRules(replaceFullPath, split(0, 100), noCookies, GATEWAY_API_V1)[0]?.matches?.length,
      2,
    );
  });

  it('mirrors to the canary for blue/green only', () => {
    const mirror = {
      type: 'RequestMirror',
      requestMirror: { backendRef: { group: '', kind: 'Service', name: 'podinfo-canary', port: 9898 } },
    };
    const blueGreen = canary({}, { iterations: 5, mirror: true });
    assert.deepEqual(routeRules(blueGreen, split(100, 0, true), noCookies, GATEWAY_API_V1), [
      { matches: ROOT, filters: [mirror], backendRefs: [primary(100), canaryRef(0)] },
    ]);
    const progressive = canary({}, { mirror: true });
    assert.equal(
      routeRules(progressive, split(90, 10, true), noCookies, GATEWAY_API_V1)[0]?.filters,
      undefined,
    );
  });
});

describe('routeRules with session affinity', () => {
  const affinity = { cookieName: 'canary-cookie', primaryCookieName: 'primary-cookie', maxAge: 300 };
  const sticky = canary({}, { interval: '15s', sessionAffinity: affinity });
  const cookies: AffinityCookies = {
    sessionAffinityCookie: 'canary-cookie=aaaaaaaaaa',
    primarySessionAffinityCookie: 'primary-cookie=bbbbbbbbbb',
    previousSessionAffinityCookie: '',
  };
  const cookieMatch = (name: string, value: string) => [
    { headers: [{ type: 'RegularExpression', name: 'Cookie', value: `.*${name}.*${value}.*` }] },
  ];
  const setCookie = (value: string) => [
    { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value }] } },
  ];

  it('sends cookie holders to their version and sets the cookies on the weighted rule (v1)', () => {
    assert.deepEqual(routeRules(sticky, split(90, 10), cookies, GATEWAY_API_V1), [
      { matches: cookieMatch('canary-cookie', 'aaaaaaaaaa'), backendRefs: [primary(0), canaryRef(100)] },
      { matches: cookieMatch('primary-cookie', 'bbbbbbbbbb'), backendRefs: [primary(100), canaryRef(0)] },
      {
        matches: ROOT,
        backendRefs: [
          { ...primary(90), filters: setCookie('primary-cookie=bbbbbbbbbb; Max-Age=15') },
          { ...canaryRef(10), filters: setCookie('canary-cookie=aaaaaaaaaa; Max-Age=300') },
        ],
      },
    ]);
  });

  it('has no primary cookie in v1beta1', () => {
    const rules = routeRules(sticky, split(90, 10), cookies, GATEWAY_API_V1BETA1);
    assert.equal(rules.length, 2);
    assert.deepEqual(rules[1]?.backendRefs?.[0], primary(90));
  });

  it('tells clients to drop the previous cookie once the canary gets no traffic', () => {
    const done: AffinityCookies = { ...noCookies, previousSessionAffinityCookie: 'canary-cookie=aaaaaaaaaa' };
    const withHeaders = canary(
      { headers: { response: { set: { 'x-version': 'primary' } } } },
      { sessionAffinity: affinity },
    );
    const response = { set: [{ name: 'x-version', value: 'primary' }] };
    assert.deepEqual(routeRules(withHeaders, split(100, 0), done, GATEWAY_API_V1), [
      {
        matches: cookieMatch('canary-cookie', 'aaaaaaaaaa'),
        // Flagger adds a second ResponseHeaderModifier, which the Gateway API rejects.
        filters: [
          {
            type: 'ResponseHeaderModifier',
            responseHeaderModifier: {
              ...response,
              add: [{ name: 'Set-Cookie', value: 'canary-cookie=aaaaaaaaaa; Max-Age=-1' }],
            },
          },
        ],
        backendRefs: [primary(100), canaryRef(0)],
      },
      {
        matches: ROOT,
        filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: response }],
        backendRefs: [primary(100), canaryRef(0)],
      },
    ]);
  });

  it('puts a copy of the weighted rule in front at weight 0 when there is no previous cookie, as Flagger', () => {
    const weighted = { matches: ROOT, backendRefs: [primary(100), canaryRef(0)] };
    for (const version of [GATEWAY_API_V1, GATEWAY_API_V1BETA1]) {
      assert.deepEqual(routeRules(sticky, split(100, 0), noCookies, version), [weighted, weighted]);
    }
    const blueGreen = canary({}, { iterations: 5, mirror: true, sessionAffinity: affinity });
    const rules = routeRules(blueGreen, split(100, 0, true), noCookies, GATEWAY_API_V1);
    assert.deepEqual(rules[0], rules[1], 'the copy mirrors too');
    assert.deepEqual(readRoutes(blueGreen, rules, GATEWAY_API_V1), split(100, 0, true));
  });

  it("has no cookie rules without cookies, as Flagger's reconcile", () => {
    assert.deepEqual(routeRules(sticky, split(100, 0), undefined, GATEWAY_API_V1), [
      { matches: ROOT, backendRefs: [primary(100), canaryRef(0)] },
    ]);
  });

  it('does not apply to A/B tests', () => {
    const ab = canary(
      {},
      { iterations: 5, sessionAffinity: affinity, match: [{ headers: { x: { exact: '1' } } }] },
    );
    const rules = routeRules(ab, split(0, 100), cookies, GATEWAY_API_V1);
    assert.equal(rules.length, 2);
    assert.equal(rules[0]?.backendRefs?.[1]?.filters, undefined);
  });
});

describe('readRoutes', () => {
  const roundTrip = (c: Canary, routes: Routes, cookies: AffinityCookies = noCookies) =>
    readRoutes(c, routeRules(c, routes, cookies, GATEWAY_API_V1), GATEWAY_API_V1);

  it('reads back what routeRules wrote', () => {
    assert.deepEqual(roundTrip(canary(), split(70, 30)), split(70, 30));
    assert.deepEqual(roundTrip(canary({}, { iterations: 3 }), split(100, 0, true)), split(100, 0, true));
    const ab = canary({}, { iterations: 3, match: [{ headers: { x: { exact: '1' } } }] });
    assert.deepEqual(roundTrip(ab, split(0, 100)), split(0, 100));
    const sticky = canary({}, { sessionAffinity: { cookieName: 'c' } });
    const cookies = { ...noCookies, sessionAffinityCookie: 'c=xxxxxxxxxx' };
    assert.deepEqual(roundTrip(sticky, split(80, 20), cookies), split(80, 20));
  });

  it('takes a missing weight for the Gateway API default, and finds no split without both backends', () => {
    const rules = [{ backendRefs: [{ name: 'podinfo-primary' }, { name: 'podinfo-canary', weight: 0 }] }];
    assert.deepEqual(readRoutes(canary(), rules, GATEWAY_API_V1), split(1, 0));
    assert.equal(readRoutes(canary(), [{ backendRefs: [{ name: 'podinfo' }] }], GATEWAY_API_V1), undefined);
    assert.equal(readRoutes(canary(), undefined, GATEWAY_API_V1), undefined);
  });
});
