// What the ingress, gateway and serving routers generate, in every strategy each supports, against the upstream
// CRD schemas in shared/compat/crds (Gateway API also against the CEL rules a route can hit), or, for projects
// whose CRDs are not there, against the @kubernetes-models validators built from their own types. Those catch
// wrong types, missing required fields and values out of their enums, not unknown fields.
import { Service as KnativeServiceModel } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { TraefikService } from '@kubernetes-models/traefik/traefik.io/v1alpha1/TraefikService';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../kube/types.ts';
import { KNATIVE_API_VERSION, PRIMARY_REVISION_ANNOTATION, trafficSpec } from '../targets/knative-service.ts';
import { crdSchemaCheck, type SchemaCheck } from '../../test/harness/crd-schemas.ts';
import { httpRouteCelViolations } from '../../test/harness/gateway-api-cel.ts';
import { APISIX_ROUTE_REF, GLOO_SLOW_START, userApisixRoute } from '../../test/harness/router-fixtures.ts';
import { generated, itPassesCheck, scenarios } from '../../test/harness/router-scenarios.ts';
import { UPSTREAM_CRD_SETS } from '../../test/harness/upstream-crds.ts';
import { APISIX_API_VERSION, canaryRouteSpec } from './apisix.ts';
import { CONTOUR_API_VERSION, httpProxySpec } from './contour-proxy.ts';
import { httpRouteSpec, newHttpRoute } from './gateway-api-http-route.ts';
import { GATEWAY_API_V1, GATEWAY_API_V1BETA1, type HttpRoute } from './gateway-api-types.ts';
import { GLOO_GATEWAY_API_VERSION, routeTableSpec } from './gloo.ts';
import { GLOO_API_VERSION, upstreamNames, upstreamSpec } from './gloo-upstreams.ts';
import { TRAEFIK_API_VERSION, traefikServiceSpec } from './traefik.ts';

/** A check by a @kubernetes-models class, whose validate() throws the problems as one message. */
function modelCheck(model: (object: KubeObject) => { validate(): void }): SchemaCheck {
  return object => {
    try {
      model(object).validate();
      return [];
    } catch (err) {
      return [(err as Error).message];
    }
  };
}

describe('Gateway API HTTPRoutes against the v1.6 standard channel CRD and its CEL rules', () => {
  const crd = crdSchemaCheck(UPSTREAM_CRD_SETS.gatewayapi());
  const check: SchemaCheck = object => [...crd(object), ...httpRouteCelViolations(object)];
  for (const version of [GATEWAY_API_V1, GATEWAY_API_V1BETA1]) {
    describe(version.apiVersion, () => {
      const strategies = ['canary', 'ab-testing', 'blue-green', 'mirroring', 'session-affinity'] as const;
      itPassesCheck(
        check,
        [
          ...scenarios(strategies),
          ...scenarios(strategies, { match: [], rewrite: undefined }, { label: 'no service.match' }),
          ...scenarios(strategies, { match: [] }, { label: 'a prefix rewrite without service.match' }),
        ],
        ({ canary }, { routes, cookies }) => [
          newHttpRoute(canary, httpRouteSpec(canary, routes, cookies, version), version),
        ],
      );
    });
  }
});

describe("Contour HTTPProxies against Contour's CRD", () => {
  itPassesCheck(
    crdSchemaCheck(UPSTREAM_CRD_SETS.contour()),
    scenarios(['canary', 'ab-testing', 'blue-green']),
    ({ canary }, { routes }) => [
      generated(CONTOUR_API_VERSION, 'HTTPProxy', 'podinfo', httpProxySpec(canary, routes, 'contour')),
    ],
  );
});

describe("Gloo Upstreams and RouteTables against Gloo's CRDs", () => {
  const settings = {
    loadBalancerConfig: GLOO_SLOW_START,
    connectionConfig: { maxRequestsPerConnection: 10 },
  };
  itPassesCheck(
    crdSchemaCheck(UPSTREAM_CRD_SETS.gloo()),
    scenarios(['canary', 'ab-testing', 'blue-green']),
    ({ canary }, { routes }) => {
      const names = upstreamNames(canary);
      const upstream = (name: string, serviceName: string) =>
        generated(
          GLOO_API_VERSION,
          'Upstream',
          name,
          upstreamSpec(
            canary,
            { metadata: { name: serviceName }, spec: { selector: { app: serviceName } } },
            settings,
          ),
        );
      return [
        upstream(names.primary, 'podinfo-primary'),
        upstream(names.canary, 'podinfo-canary'),
        generated(GLOO_GATEWAY_API_VERSION, 'RouteTable', 'podinfo', routeTableSpec(canary, routes)),
      ];
    },
  );
});

describe("APISIX routes against APISIX's CRD", () => {
  itPassesCheck(
    crdSchemaCheck(UPSTREAM_CRD_SETS.apisix()),
    scenarios(['canary', 'blue-green'], {}, { routeRef: APISIX_ROUTE_REF }),
    ({ canary }, { routes }) => [
      generated(
        APISIX_API_VERSION,
        'ApisixRoute',
        'app-podinfo-canary',
        canaryRouteSpec(canary, userApisixRoute('test', 9898), routes),
      ),
    ],
  );
});

describe('Traefik services against @kubernetes-models/traefik', () => {
  itPassesCheck(
    modelCheck(object => new TraefikService(object as ConstructorParameters<typeof TraefikService>[0])),
    scenarios(['canary', 'blue-green']),
    ({ canary }, { routes }) => [
      generated(TRAEFIK_API_VERSION, 'TraefikService', 'podinfo', traefikServiceSpec(canary, routes)),
    ],
  );
});

describe('the Knative Service the router splits against @kubernetes-models/knative', () => {
  itPassesCheck(
    modelCheck(object => new KnativeServiceModel(object)),
    scenarios(
      ['canary', 'blue-green'],
      {},
      { targetRef: { apiVersion: KNATIVE_API_VERSION, kind: 'Service', name: 'podinfo' } },
    ),
    (_, { routes }) => [
      {
        apiVersion: KNATIVE_API_VERSION,
        kind: 'Service',
        metadata: {
          name: 'podinfo',
          namespace: 'test',
          annotations: { [PRIMARY_REVISION_ANNOTATION]: 'podinfo-00001' },
        },
        spec: {
          template: {
            spec: { containers: [{ name: 'podinfo', image: 'ghcr.io/stefanprodan/podinfo:6.0.1' }] },
          },
          traffic: trafficSpec('podinfo-00001', routes),
        },
      } as KubeObject,
    ],
  );
});

describe('the Gateway API CEL predicates', () => {
  it('see a prefix rewrite on several matches, a Service without port, a backend timeout over the request one', () => {
    const rewrite = {
      type: 'URLRewrite',
      urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
    };
    const route: HttpRoute = {
      spec: {
        rules: [
          {
            matches: [
              { path: { type: 'PathPrefix', value: '/a' } },
              { path: { type: 'PathPrefix', value: '/b' } },
            ],
            filters: [rewrite],
            backendRefs: [{ group: '', kind: 'Service', name: 'podinfo' }],
            timeouts: { request: '10s', backendRequest: '30s' },
          },
        ],
      },
    };
    assert.deepEqual(httpRouteCelViolations(route), [
      'spec.rules[]: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified',
      'spec.rules[].backendRefs[]: Must have port for Service reference',
      'spec.rules[].timeouts: backendRequest timeout cannot be longer than request timeout',
    ]);
  });
});
