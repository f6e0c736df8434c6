// Realistic Canaries for the routers' schema tests (src/routers/schemas-*.test.ts): one per strategy, with every
// service setting the routers map (hosts, matches, rewrite, timeouts, retries, headers, CORS, mirrors, traffic
// policy, apex metadata), and the splits and session affinity cookies the strategy goes through.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../../src/api/canary.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { nextCookies, type AffinityCookies } from '../../src/routers/session-affinity.ts';
import type { Routes } from '../../src/routers/types.ts';
import type { SchemaCheck } from './crd-schemas.ts';

export type Strategy = 'canary' | 'ab-testing' | 'blue-green' | 'mirroring' | 'session-affinity';

/** One state of the routes during a release: the split, and the cookies of session affinity (none at first). */
export interface RouteState {
  routes: Routes;
  cookies: AffinityCookies | undefined;
}

export interface Scenario {
  strategy: Strategy;
  /** What else sets this scenario apart, for the test's name. */
  label?: string;
  canary: Canary;
  /** The route states the strategy passes through, from initialisation to promotion. */
  states: RouteState[];
}

const split = (primaryWeight: number, canaryWeight: number, mirrored = false): Routes => ({
  primaryWeight,
  canaryWeight,
  mirrored,
});

/** The service settings of every scenario; a router's test overrides what its project names differently. */
export const FULL_SERVICE: CanaryService = {
  port: 9898,
  portName: 'http',
  targetPort: 9898,
  hosts: ['app.example.com'],
  gateways: ['istio-system/public-gateway'],
  gatewayRefs: [{ name: 'gw', namespace: 'infra' }],
  match: [{ uri: { prefix: '/api' } }],
  rewrite: { uri: '/', type: 'ReplacePrefixMatch' },
  timeout: '30s',
  backendTimeout: '10s',
  retries: { attempts: 3, perTryTimeout: '5s', retryOn: 'gateway-error,connect-failure' },
  headers: {
    request: { add: { 'x-envoy-upstream-rq-timeout-ms': '15000' }, set: { 'x-team': 'web' } },
    response: { remove: ['x-powered-by'] },
  },
  corsPolicy: {
    allowOrigin: ['https://example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['x-user'],
    exposeHeaders: ['x-trace-id'],
    maxAge: '24h',
    allowCredentials: true,
  },
  mirror: [{ backendRef: { name: 'podinfo-shadow', port: 9898 } }],
  trafficPolicy: {
    tls: { mode: 'ISTIO_MUTUAL' },
    loadBalancer: { simple: 'LEAST_CONN' },
    connectionPool: { http: { http1MaxPendingRequests: 100, idleTimeout: '30s' } },
  },
  apex: { labels: { team: 'web' }, annotations: { 'example.com/owner': 'web' } },
};

const AFFINITY = {
  cookieName: 'flagger-cookie',
  primaryCookieName: 'flagger-primary-cookie',
  maxAge: 21600,
  path: '/',
  sameSite: 'Lax',
  httpOnly: true,
  secure: true,
} as const;

const ANALYSES: Record<Strategy, CanaryAnalysis> = {
  canary: { interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50 },
  'ab-testing': {
    interval: '1m',
    threshold: 5,
    iterations: 10,
    match: [
      { headers: { 'x-canary': { exact: 'insider' } } },
      { headers: { cookie: { regex: '^(.*?;)?(canary=always)(;.*)?$' } } },
    ],
  },
  'blue-green': { interval: '1m', threshold: 5, iterations: 10 },
  mirroring: { interval: '1m', threshold: 5, iterations: 10, mirror: true, mirrorWeight: 50 },
  'session-affinity': {
    interval: '1m',
    threshold: 5,
    stepWeight: 10,
    maxWeight: 50,
    sessionAffinity: AFFINITY,
  },
};

/** The route states of a strategy: the first is what a router creates its objects with. */
function statesOf(strategy: Strategy): RouteState[] {
  const plain = (routes: Routes): RouteState => ({ routes, cookies: undefined });
  switch (strategy) {
    case 'canary':
      return [split(100, 0), split(90, 10), split(50, 50), split(0, 100)].map(plain);
    case 'ab-testing':
    case 'blue-green':
      return [split(100, 0), split(0, 100)].map(plain);
    case 'mirroring':
      return [split(100, 0), split(100, 0, true), split(0, 100)].map(plain);
    case 'session-affinity': {
      // Fixed cookie values: the routes only carry them.
      const value = () => 'abcdefghij';
      const during = nextCookies(AFFINITY, undefined, 10, value);
      const after = nextCookies(AFFINITY, during, 0, value);
      return [
        plain(split(100, 0)),
        { routes: split(90, 10), cookies: during },
        { routes: split(50, 50), cookies: during },
        { routes: split(100, 0), cookies: after },
      ];
    }
  }
}

/** What a scenario's Canary has besides its strategy and service. */
export interface ScenarioExtras {
  label?: string;
  annotations?: Record<string, string>;
  targetRef?: Canary['spec']['targetRef'];
  routeRef?: Canary['spec']['routeRef'];
}

/** A Canary podinfo in namespace test running `strategy`, with the full service settings and `service`. */
export function scenario(
  strategy: Strategy,
  service: Partial<CanaryService> = {},
  extra: ScenarioExtras = {},
): Scenario {
  const canary: Canary = {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: {
      name: 'podinfo',
      namespace: 'test',
      uid: '3f1c5b8e-2d4a-4c6e-9b7f-0a1b2c3d4e5f',
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    spec: {
      ...(extra.routeRef ? { routeRef: extra.routeRef } : {}),
      targetRef: extra.targetRef ?? { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { ...FULL_SERVICE, ...service },
      analysis: ANALYSES[strategy],
    },
  };
  return { strategy, ...(extra.label ? { label: extra.label } : {}), canary, states: statesOf(strategy) };
}

/** A scenario of each strategy. */
export function scenarios(
  strategies: readonly Strategy[],
  service: Partial<CanaryService> = {},
  extra: ScenarioExtras = {},
): Scenario[] {
  return strategies.map(strategy => scenario(strategy, service, extra));
}

/** An object as a router writes it; the tests need its kind, version and spec (metadata has no schema). */
export function generated(apiVersion: string, kind: string, name: string, spec: unknown): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'test' }, spec } as KubeObject;
}

/** A test per scenario: `check` finds nothing wrong with the objects of any of its route states. */
export function itPassesCheck(
  check: SchemaCheck,
  cases: Scenario[],
  objects: (scenario: Scenario, state: Scenario['states'][number]) => KubeObject[],
): void {
  for (const kase of cases) {
    it(kase.label ? `${kase.strategy}, ${kase.label}` : kase.strategy, () => {
      const problems = kase.states.flatMap(state =>
        objects(kase, state).flatMap(object =>
          check(object).map(
            problem =>
              `${object.kind ?? ''} ${object.metadata?.name ?? ''} at ${state.routes.primaryWeight}/` +
              `${state.routes.canaryWeight}${state.routes.mirrored ? ' mirrored' : ''}: ${problem}`,
          ),
        ),
      );
      assert.deepEqual(problems, []);
    });
  }
}
