import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { FLUX_DISABLED_ANNOTATIONS, canaryOwnerReference } from '../../src/api/generated-objects.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import {
  gatewayApiV1Router,
  gatewayApiV1beta1Router,
  type GatewayApiRouter,
} from '../../src/routers/gateway-api.ts';
import type { HttpRoute, RouteCondition } from '../../src/routers/gateway-api-types.ts';
import type { RouterStatus } from '../../src/routers/types.ts';
import { useCluster } from '../harness/cluster.ts';
import {
  GATEWAY_PARENT as PARENT,
  GATEWAY_REFS,
  providerCrds,
  setRouteAccepted,
  split,
} from '../harness/router-fixtures.ts';

const V1 = 'gateway.networking.k8s.io/v1';
const V1BETA1 = 'gateway.networking.k8s.io/v1beta1';
const ROOT = [{ path: { type: 'PathPrefix', value: '/' } }];
const backend = (name: string, weight: number) => ({ group: '', kind: 'Service', name, port: 9898, weight });
const primary = (weight: number) => backend('podinfo-primary', weight);
const canaryRef = (weight: number) => backend('podinfo-canary', weight);
const setCookie = (value: string) => [
  { type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value }] } },
];

describe('Gateway API router on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let v1: GatewayApiRouter;
  let v1beta1: GatewayApiRouter;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('gatewayapi')]);
    const deps = { kube: cluster.client, logger: silentLogger(), setOwnerRefs: true };
    v1 = gatewayApiV1Router(deps);
    v1beta1 = gatewayApiV1beta1Router({ ...deps, setOwnerRefs: false });
  });

  async function newCanary(
    service: Partial<CanaryService> = {},
    analysis: Partial<CanaryAnalysis> = {},
  ): Promise<Canary> {
    const namespace = await cluster.namespace('gwapi');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        provider: 'gatewayapi:v1',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898, gatewayRefs: GATEWAY_REFS, ...service },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
      },
    });
  }

  const httpRoute = (canary: Canary, apiVersion = V1) =>
    cluster.client.get<HttpRoute>({
      apiVersion,
      kind: 'HTTPRoute',
      name: 'podinfo',
      namespace: canary.metadata.namespace,
    });
  const setAccepted = (canary: Canary, condition: Omit<RouteCondition, 'type'>) =>
    setRouteAccepted(
      cluster.client,
      { apiVersion: V1, kind: 'HTTPRoute', name: 'podinfo', namespace: canary.metadata.namespace },
      condition,
    );

  // Every filter's shape is in the unit tests; here the API server stores a route with filters and timeouts.
  it('creates the HTTPRoute with the parents, hosts, matches, filters and timeouts', async () => {
    await assert.rejects(v1.reconcile(await newCanary({ gatewayRefs: [] })), /GatewayRefs must be specified/);
    const canary = await newCanary({
      hosts: ['app.example.com'],
      match: [{ uri: { prefix: '/api' }, headers: { 'x-tenant': { exact: 'a' } } }],
      headers: { request: { set: { 'x-flagger': 'yes' } } },
      corsPolicy: { allowOrigin: ['https://app.example.com'], maxAge: '1m' },
      timeout: '30s',
      backendTimeout: '10s',
      apex: { labels: { tier: 'web' }, annotations: { note: 'apex' } },
    });
    await v1.reconcile(canary);
    const route = await httpRoute(canary);
    assert.deepEqual(route.spec, {
      parentRefs: [PARENT],
      hostnames: ['app.example.com'],
      rules: [
        {
          matches: [
            {
              path: { type: 'PathPrefix', value: '/api' },
              headers: [{ type: 'Exact', name: 'x-tenant', value: 'a' }],
            },
          ],
          filters: [
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: { set: [{ name: 'x-flagger', value: 'yes' }] },
            },
            { type: 'CORS', cors: { allowOrigins: ['https://app.example.com'], maxAge: 60 } },
          ],
          backendRefs: [primary(100), canaryRef(0)],
          timeouts: { request: '30s', backendRequest: '10s' },
        },
      ],
    });
    assert.deepEqual(route.metadata?.labels, { tier: 'web' });
    assert.deepEqual(route.metadata.annotations, { note: 'apex', ...FLUX_DISABLED_ANNOTATIONS });
    assert.deepEqual(route.metadata.ownerReferences, [canaryOwnerReference(canary)]);
    assert.deepEqual(await v1.getRoutes(canary), split(100, 0));
  });

  it('moves the weights, and reconcile keeps them', async () => {
    const canary = await newCanary();
    await v1.reconcile(canary);
    assert.deepEqual(await v1.setRoutes(canary, split(60, 40)), {});
    assert.deepEqual(await v1.getRoutes(canary), split(60, 40));
    const before = await httpRoute(canary);
    await v1.reconcile(canary);
    assert.equal((await httpRoute(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

    await v1.reconcile({
      ...canary,
      spec: { ...canary.spec, service: { port: 9898, gatewayRefs: [PARENT], timeout: '5s' } },
    });
    assert.deepEqual((await httpRoute(canary)).spec?.rules?.[0]?.timeouts, { request: '5s' });
    assert.deepEqual(await v1.getRoutes(canary), split(60, 40));
  });

  it('routes A/B tests: matching requests to the canary, the rest to the primary', async () => {
    const canary = await newCanary(
      {},
      { iterations: 5, match: [{ headers: { 'x-canary': { regex: '^insider$' } } }] },
    );
    await v1.reconcile(canary);
    await v1.setRoutes(canary, split(0, 100));
    assert.deepEqual(await v1.getRoutes(canary), split(0, 100));
    assert.deepEqual((await httpRoute(canary)).spec?.rules, [
      {
        matches: [
          { ...ROOT[0], headers: [{ type: 'RegularExpression', name: 'x-canary', value: '^insider$' }] },
        ],
        backendRefs: [primary(0), canaryRef(100)],
      },
      { matches: ROOT, backendRefs: [primary(100)] },
    ]);
  });

  it('mirrors blue/green traffic to the canary, and reconcile keeps the mirror', async () => {
    const canary = await newCanary({}, { iterations: 5, mirror: true });
    await v1.reconcile(canary);
    await v1.setRoutes(canary, split(100, 0, true));
    assert.deepEqual(await v1.getRoutes(canary), split(100, 0, true));
    assert.deepEqual((await httpRoute(canary)).spec?.rules?.[0]?.filters, [
      {
        type: 'RequestMirror',
        requestMirror: { backendRef: { group: '', kind: 'Service', name: 'podinfo-canary', port: 9898 } },
      },
    ]);
    await v1.reconcile({ ...canary, status: { phase: 'Progressing' } });
    assert.deepEqual(await v1.getRoutes(canary), split(100, 0, true));
    await v1.setRoutes(canary, split(0, 100));
    assert.deepEqual(await v1.getRoutes(canary), split(0, 100));
  });

  it('keeps clients on their version with the canary and primary cookies', async () => {
    const affinity = { cookieName: 'canary-cookie', primaryCookieName: 'primary-cookie', maxAge: 600 };
    const canary = await newCanary({}, { interval: '30s', sessionAffinity: affinity });
    await v1.reconcile(canary);
    const status: RouterStatus = await v1.setRoutes(canary, split(90, 10));
    const canaryCookie = status.sessionAffinityCookie ?? '';
    const primaryCookie = status.primarySessionAffinityCookie ?? '';
    assert.match(canaryCookie, /^canary-cookie=[a-zA-Z]{10}$/);
    assert.match(primaryCookie, /^primary-cookie=[a-zA-Z]{10}$/);
    // The API server gives a match without a path the default one, PathPrefix /.
    const cookieMatch = (cookie: string) => {
      const [name, value] = cookie.split('=');
      const cookieHeader = { type: 'RegularExpression', name: 'Cookie', value: `.*${name}.*${value}.*` };
      return [{ path: { type: 'PathPrefix', value: '/' }, headers: [cookieHeader] }];
    };
    assert.deepEqual((await httpRoute(canary)).spec?.rules, [
      { matches: cookieMatch(canaryCookie), backendRefs: [primary(0), canaryRef(100)] },
      { matches: cookieMatch(primaryCookie), backendRefs: [primary(100), canaryRef(0)] },
      {
        matches: ROOT,
        backendRefs: [
          { ...primary(90), filters: setCookie(`${primaryCookie}; Max-Age=30`) },
          { ...canaryRef(10), filters: setCookie(`${canaryCookie}; Max-Age=600`) },
        ],
      },
    ]);
    assert.deepEqual(await v1.getRoutes(canary), split(90, 10));

    const running = { ...canary, status: { ...canary.status, ...status } };
    const before = await httpRoute(canary);
    await v1.reconcile(running);
    assert.equal((await httpRoute(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.deepEqual(await v1.setRoutes(running, split(50, 50)), status);

    const done = await v1.setRoutes(running, split(100, 0));
    assert.deepEqual(done, {
      sessionAffinityCookie: '',
      primarySessionAffinityCookie: '',
      previousSessionAffinityCookie: canaryCookie,
    });
    const [expiring] = (await httpRoute(canary)).spec?.rules ?? [];
    assert.deepEqual(expiring?.filters, setCookie(`${canaryCookie}; Max-Age=-1`));
    assert.deepEqual(await v1.getRoutes(canary), split(100, 0));
    const ended = { ...running, status: { ...running.status, ...done } };
    const settled = await httpRoute(canary);
    await v1.reconcile(ended);
    assert.equal((await httpRoute(canary)).metadata?.resourceVersion, settled.metadata?.resourceVersion);
  });

  it('puts a copy of the weighted rule in front at weight 0 before any cookie, as Flagger', async () => {
    const canary = await newCanary({}, { sessionAffinity: { cookieName: 'canary-cookie' } });
    await v1.reconcile(canary);
    assert.deepEqual((await httpRoute(canary)).spec?.rules, [
      { matches: ROOT, backendRefs: [primary(100), canaryRef(0)] },
    ]);
    await v1.setRoutes(canary, split(100, 0));
    const weighted = { matches: ROOT, backendRefs: [primary(100), canaryRef(0)] };
    assert.deepEqual((await httpRoute(canary)).spec?.rules, [weighted, weighted]);
    assert.deepEqual(await v1.getRoutes(canary), split(100, 0));
    const before = await httpRoute(canary);
    await v1.reconcile(canary);
    assert.equal((await httpRoute(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);
  });

  it('takes over an existing HTTPRoute, keeping the annotations of other controllers', async () => {
    const canary = await newCanary();
    await cluster.client.create<HttpRoute>({
      apiVersion: V1,
      kind: 'HTTPRoute',
      metadata: {
        name: 'podinfo',
        namespace: canary.metadata.namespace,
        annotations: { 'lb.example/id': 'x' },
      },
      spec: { parentRefs: [PARENT], rules: [{ backendRefs: [{ name: 'podinfo', port: 9898 }] }] },
    });
    await v1.reconcile(canary);
    const route = await httpRoute(canary);
    assert.deepEqual(route.spec?.rules, [{ matches: ROOT, backendRefs: [primary(100), canaryRef(0)] }]);
    assert.deepEqual(route.metadata?.annotations, { 'lb.example/id': 'x', ...FLUX_DISABLED_ANNOTATIONS });
    assert.deepEqual(await v1.getRoutes(canary), split(100, 0));
  });

  it("fails getRoutes while a parent has not accepted the route's current generation", async () => {
    const canary = await newCanary();
    await v1.reconcile(canary);
    const generation = (await httpRoute(canary)).metadata?.generation ?? 0;
    await setAccepted(canary, { status: 'False', observedGeneration: generation });
    await assert.rejects(v1.getRoutes(canary), /parent gw is not ready \(status: False/);

    await setAccepted(canary, { status: 'True', observedGeneration: generation });
    assert.deepEqual(await v1.getRoutes(canary), split(100, 0));

    await v1.setRoutes(canary, split(80, 20));
    await assert.rejects(
      v1.getRoutes(canary),
      new RegExp(`observed generation: ${generation}, current generation: ${generation + 1}\\)`),
    );
  });

  it('writes v1beta1 routes without the v1 features (and without owner references for a remote mesh)', async () => {
    const affinity = { cookieName: 'canary-cookie', primaryCookieName: 'primary-cookie' };
    const canary = await newCanary({ timeout: '30s' }, { sessionAffinity: affinity });
    await v1beta1.reconcile(canary);
    const created = await httpRoute(canary, V1BETA1);
    assert.equal(created.apiVersion, V1BETA1);
    assert.equal(created.metadata?.ownerReferences, undefined);
    assert.deepEqual(created.spec?.rules, [{ matches: ROOT, backendRefs: [primary(100), canaryRef(0)] }]);

    const status = await v1beta1.setRoutes(canary, split(70, 30));
    assert.equal(status.primarySessionAffinityCookie, '');
    assert.equal((await httpRoute(canary, V1BETA1)).spec?.rules?.length, 2);
    // No parent check: a stale Accepted condition does not stop v1beta1.
    await setAccepted(canary, { status: 'False', observedGeneration: 1 });
    assert.deepEqual(await v1beta1.getRoutes(canary), split(70, 30));
    await v1beta1.finalize();
    assert.deepEqual(await v1beta1.getRoutes(canary), split(70, 30));
  });
});
