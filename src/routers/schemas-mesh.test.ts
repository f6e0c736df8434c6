// What the mesh routers generate, in every strategy each supports, against the upstream CRD schemas in
// shared/compat/crds: nothing a real API server would refuse or prune (Kuma: nothing its TrafficRoute message
// lacks). The ingress and gateway routers are in schemas-edge.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../kube/types.ts';
import {
  crdSchemaCheck,
  kumaTrafficRouteSpecCheck,
  type SchemaCheck,
} from '../../test/harness/crd-schemas.ts';
import { itPassesCheck, generated, scenario, scenarios } from '../../test/harness/router-scenarios.ts';
import { UPSTREAM_CRD_SETS } from '../../test/harness/upstream-crds.ts';
import * as v1beta1 from './appmesh-v1beta1-objects.ts';
import * as v1beta2 from './appmesh-v1beta2-objects.ts';
import { destinationRule } from './istio-destination-rules.ts';
import { newVirtualService, virtualServiceSpec } from './istio-virtual-service.ts';
import { KUMA_API_VERSION, newTrafficRoute, trafficRouteSpec } from './kuma.ts';
import { trafficSplitSpec, type SmiVersion } from './smi.ts';

describe('Istio objects against Istio 1.29 CRDs', () => {
  const check = crdSchemaCheck(UPSTREAM_CRD_SETS.istio());
  itPassesCheck(
    check,
    scenarios(['canary', 'ab-testing', 'blue-green', 'mirroring', 'session-affinity']),
    ({ canary }, { routes, cookies }) => [
      newVirtualService(canary, virtualServiceSpec(canary, routes, cookies)),
      destinationRule(canary, 'podinfo-primary', true),
      destinationRule(canary, 'podinfo-canary', true),
    ],
  );
  describe('a delegate VirtualService, and TCP routes', () => {
    itPassesCheck(
      check,
      [
        ...scenarios(
          ['canary'],
          { delegation: true, hosts: [], gateways: [], portDiscovery: true },
          { label: 'delegate' },
        ),
        ...scenarios(
          ['canary', 'blue-green'],
          { appProtocol: 'tcp', match: [{ port: 9898 }] },
          { label: 'TCP' },
        ),
      ],
      ({ canary }, { routes, cookies }) => [
        newVirtualService(canary, virtualServiceSpec(canary, routes, cookies)),
      ],
    );
  });
});

describe('App Mesh v1beta2 objects against the App Mesh controller CRDs', () => {
  const APPMESH = {
    retries: { attempts: 3, perTryTimeout: '5s', retryOn: 'gateway-error,client-error,stream-error' },
  };
  itPassesCheck(
    crdSchemaCheck(UPSTREAM_CRD_SETS.appmesh()),
    [
      ...scenarios(['canary', 'ab-testing', 'blue-green'], {
        ...APPMESH,
        backends: [
          'backend.test',
          'arn:aws:appmesh:eu-west-1:12345678910:mesh/global/virtualService/backend',
        ],
      }),
      ...scenarios(
        ['canary'],
        { ...APPMESH, portName: 'grpc' },
        { label: 'gRPC, access log', annotations: { [v1beta2.ACCESS_LOG_ANNOTATION]: 'enabled' } },
      ),
    ],
    ({ canary }, { routes }) => [
      ...(['primary', 'canary'] as const).map(role =>
        generated(
          v1beta2.APPMESH_V1BETA2,
          'VirtualNode',
          `podinfo-${role}`,
          v1beta2.virtualNodeSpec(canary, role, 'app'),
        ),
      ),
      ...(['apex', 'canary'] as const).flatMap(role => [
        generated(
          v1beta2.APPMESH_V1BETA2,
          'VirtualRouter',
          role,
          v1beta2.virtualRouterSpec(canary, role, routes),
        ),
        generated(v1beta2.APPMESH_V1BETA2, 'VirtualService', role, v1beta2.virtualServiceSpec(role)),
      ]),
    ],
  );
});

describe('App Mesh v1beta1 objects against the legacy App Mesh controller CRDs', () => {
  itPassesCheck(
    crdSchemaCheck(UPSTREAM_CRD_SETS['appmesh-v1beta1']()),
    scenarios(['canary', 'ab-testing', 'blue-green'], {
      meshName: 'global',
      backends: ['backend.test'],
      retries: { attempts: 3, perTryTimeout: '5s', retryOn: 'gateway-error,client-error' },
    }),
    ({ canary }, { routes }) => [
      ...(['apex', 'primary', 'canary'] as const).map(role =>
        generated(v1beta1.APPMESH_V1BETA1, 'VirtualNode', role, v1beta1.virtualNodeSpec(canary, role)),
      ),
      ...(['apex', 'canary'] as const).map(role =>
        generated(
          v1beta1.APPMESH_V1BETA1,
          'VirtualService',
          role,
          v1beta1.virtualServiceSpec(canary, role, routes),
        ),
      ),
    ],
  );
});

describe("Kuma TrafficRoutes against Kuma's CRD and the TrafficRoute message", () => {
  const crd = crdSchemaCheck(UPSTREAM_CRD_SETS.kuma());
  const message = kumaTrafficRouteSpecCheck();
  const check: SchemaCheck = object => [...crd(object), ...message((object as { spec?: unknown }).spec)];
  itPassesCheck(
    check,
    scenarios(['canary', 'blue-green'], {}, { annotations: { 'kuma.io/mesh': 'mesh-a' } }),
    ({ canary }, { routes }) => [
      newTrafficRoute(canary),
      { ...newTrafficRoute(canary), apiVersion: KUMA_API_VERSION, spec: trafficRouteSpec(canary, routes) },
    ],
  );
});

describe('SMI TrafficSplits against the linkerd-smi and smi-sdk-go CRDs', () => {
  const check = crdSchemaCheck(UPSTREAM_CRD_SETS.smi());
  for (const version of ['v1alpha1', 'v1alpha2', 'v1alpha3'] satisfies SmiVersion[]) {
    describe(version, () => {
      itPassesCheck(check, scenarios(['canary', 'blue-green']), ({ canary }, { routes }) => [
        generated(
          `split.smi-spec.io/${version}`,
          'TrafficSplit',
          'podinfo',
          trafficSplitSpec(canary, routes, version),
        ),
      ]);
    });
  }
});

describe('the checks see what an API server refuses or prunes', () => {
  it('a wrong type, an undeclared field, a version not served', () => {
    const check = crdSchemaCheck(UPSTREAM_CRD_SETS.istio());
    const vs = newVirtualService(scenario('canary').canary, { hosts: ['podinfo'] });
    const route = { destination: { host: 'podinfo-primary' }, weight: '100', retry: 3 };
    const invalid: KubeObject = { ...vs, spec: { ...vs.spec, http: [{ route: [route] }] } } as KubeObject;
    assert.deepEqual(check(invalid), [
      'spec.http.0.route.0.weight must be integer',
      'spec.http[0].route[0].retry would be pruned',
    ]);
    assert.deepEqual(check({ ...vs, apiVersion: 'networking.istio.io/v2' }), [
      'networking.istio.io/v2 VirtualService is not served',
    ]);
  });

  it('a field the Kuma TrafficRoute message does not have', () => {
    assert.deepEqual(kumaTrafficRouteSpecCheck()({ conf: { splits: [] } }), [
      'conf must NOT have additional properties',
    ]);
  });
});
