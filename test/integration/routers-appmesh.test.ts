import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { FLUX_DISABLED_ANNOTATIONS as FLUX, canaryOwnerReference } from '../../src/api/generated-objects.ts';
import { validateCanary } from '../../src/api/validate.ts';
import type { KubeObject, ObjectRef } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { AppMeshV1beta1Router } from '../../src/routers/appmesh-v1beta1.ts';
import type { VirtualService as VirtualServiceV1beta1 } from '../../src/routers/appmesh-v1beta1-objects.ts';
import { AppMeshV1beta2Router } from '../../src/routers/appmesh-v1beta2.ts';
import type {
  VirtualNode,
  VirtualRouter,
  VirtualService,
} from '../../src/routers/appmesh-v1beta2-objects.ts';
import { createRouter } from '../../src/routers/registry.ts';
import type { RouterDeps } from '../../src/routers/types.ts';
import { useCluster } from '../harness/cluster.ts';
import { providerCrds, replaceCrds, split } from '../harness/router-fixtures.ts';

const V1BETA2 = 'appmesh.k8s.aws/v1beta2';
const V1BETA1 = 'appmesh.k8s.aws/v1beta1';

describe('App Mesh routers on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let deps: RouterDeps;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('appmesh')]);
    deps = {
      kube: cluster.client,
      logger: silentLogger(),
      labelKey: 'app',
      setOwnerRefs: true,
      ingressClass: '',
      ingressAnnotationsPrefix: 'nginx.ingress.kubernetes.io',
      includeLabelPrefix: [],
    };
  });

  async function newCanary(
    provider: 'appmesh' | 'appmesh:v1beta2',
    service: Partial<CanaryService> = {},
    analysis: Partial<CanaryAnalysis> = {},
    annotations?: Record<string, string>,
  ): Promise<Canary> {
    const namespace = await cluster.namespace('appmesh');
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace, ...(annotations ? { annotations } : {}) },
      spec: {
        provider,
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898, ...(provider === 'appmesh' ? { meshName: 'global' } : {}), ...service },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
      },
    });
  }

  const ref = (canary: Canary, apiVersion: string, kind: string, name: string): ObjectRef => ({
    apiVersion,
    kind,
    name,
    namespace: canary.metadata.namespace,
  });
  const get = <T extends KubeObject>(canary: Canary, apiVersion: string, kind: string, name: string) =>
    cluster.client.get<T>(ref(canary, apiVersion, kind, name));

  describe('appmesh:v1beta2', () => {
    let router: AppMeshV1beta2Router;
    before(() => {
      router = new AppMeshV1beta2Router(deps);
    });

    const node = (canary: Canary, name: string) => get<VirtualNode>(canary, V1BETA2, 'VirtualNode', name);
    const virtualRouter = (canary: Canary, name: string) =>
      get<VirtualRouter>(canary, V1BETA2, 'VirtualRouter', name);
    const virtualService = (canary: Canary, name: string) =>
      get<VirtualService>(canary, V1BETA2, 'VirtualService', name);
    const targets = (canaryWeight: number, primaryWeight: number) => [
      { virtualNodeRef: { name: 'podinfo-canary' }, weight: canaryWeight },
      { virtualNodeRef: { name: 'podinfo-primary' }, weight: primaryWeight },
    ];

    it('is what the registry gives for appmesh:v1beta2', () => {
      assert.ok(createRouter('appmesh:v1beta2', deps) instanceof AppMeshV1beta2Router);
    });

    it('creates the virtual nodes, routers and services as Flagger does', async () => {
      const arn = 'arn:aws:appmesh:eu-west-1:12345678910:mesh/global/virtualService/backend';
      const canary = await newCanary(
        'appmesh:v1beta2',
        {
          port: 80,
          targetPort: 9898,
          timeout: '30s',
          retries: { attempts: 3, perTryTimeout: '5s', retryOn: 'gateway-error,client-error' },
          backends: ['backend', arn],
          hosts: ['podinfo.example.com'],
          apex: { labels: { tier: 'web' }, annotations: { note: 'apex' } },
        },
        {},
        { 'appmesh.flagger.app/accesslog': 'enabled' },
      );
      await router.reconcile(canary);
      const ns = canary.metadata.namespace ?? '';

      for (const [role, selector] of [
        ['primary', 'podinfo-primary'],
        ['canary', 'podinfo'],
      ] as const) {
        const vn = await node(canary, `podinfo-${role}`);
        assert.deepEqual(vn.metadata?.labels, { tier: 'web' });
        assert.deepEqual(vn.metadata.annotations, { note: 'apex', ...FLUX });
        assert.deepEqual(vn.metadata.ownerReferences, [canaryOwnerReference(canary)]);
        assert.deepEqual(vn.spec, {
          podSelector: { matchLabels: { app: selector } },
          listeners: [
            {
              portMapping: { port: 9898, protocol: 'http' },
              timeout: { http: { perRequest: { unit: 'ms', value: 30_000 } } },
            },
          ],
          serviceDiscovery: { dns: { hostname: `podinfo-${role}.${ns}.svc.cluster.local.` } },
          backends: [
            { virtualService: { virtualServiceRef: { name: 'backend' } } },
            { virtualService: { virtualServiceARN: arn } },
          ],
          logging: { accessLog: { file: { path: '/dev/stdout' } } },
        });
      }

      const route = (name: string, weightedTargets: unknown) => ({
        name,
        httpRoute: {
          match: { prefix: '/' },
          action: { weightedTargets },
          retryPolicy: {
            httpRetryEvents: ['gateway-error', 'client-error'],
            maxRetries: 3,
            perRetryTimeout: { unit: 'ms', value: 5000 },
          },
          timeout: { perRequest: { unit: 'ms', value: 30_000 } },
        },
      });
      const apex = await virtualRouter(canary, 'podinfo');
      assert.deepEqual(apex.metadata?.ownerReferences, [canaryOwnerReference(canary)]);
      assert.deepEqual(apex.metadata.annotations, FLUX);
      assert.deepEqual(apex.spec, {
        listeners: [{ portMapping: { port: 9898, protocol: 'http' } }],
        routes: [route('podinfo', targets(0, 100))],
      });
      assert.deepEqual((await virtualRouter(canary, 'podinfo-canary')).spec?.routes, [
        route('podinfo-canary', targets(100, 0)),
      ]);

      const apexService = await virtualService(canary, 'podinfo');
      assert.deepEqual(apexService.spec, {
        provider: { virtualRouter: { virtualRouterRef: { name: 'podinfo' } } },
      });
      assert.deepEqual(apexService.metadata?.ownerReferences, [canaryOwnerReference(canary)]);
      assert.deepEqual(apexService.metadata.annotations, {
        'gateway.appmesh.k8s.aws/expose': 'true',
        'gateway.appmesh.k8s.aws/domain': 'podinfo.example.com,',
        'gateway.appmesh.k8s.aws/timeout': '30s',
        'gateway.appmesh.k8s.aws/retries': '3',
        ...FLUX,
      });
      const canaryService = await virtualService(canary, 'podinfo-canary');
      assert.deepEqual(canaryService.spec, {
        provider: { virtualRouter: { virtualRouterRef: { name: 'podinfo-canary' } } },
      });
      assert.deepEqual(canaryService.metadata?.annotations, FLUX);

      assert.deepEqual(await router.getRoutes(canary), split(100, 0));
    });

    it('moves the weights, and reconcile keeps them and what App Mesh filled in', async () => {
      const canary = await newCanary('appmesh:v1beta2');
      await router.reconcile(canary);
      await router.setRoutes(canary, split(60, 40));
      assert.deepEqual(await router.getRoutes(canary), split(60, 40));
      assert.deepEqual(
        (await virtualRouter(canary, 'podinfo')).spec?.routes?.[0]?.httpRoute?.action.weightedTargets,
        targets(40, 60),
      );

      // App Mesh's webhook fills in the mesh reference and AWS names.
      const meshRef = { name: 'global', uid: 'mesh-uid' };
      for (const [kind, name] of [
        ['VirtualNode', 'podinfo-primary'],
        ['VirtualRouter', 'podinfo'],
        ['VirtualService', 'podinfo'],
      ] as const) {
        await cluster.client.patch(ref(canary, V1BETA2, kind, name), 'merge', {
          spec: { meshRef, awsName: `${name}_${canary.metadata.namespace ?? ''}` },
        });
      }
      const before = await virtualRouter(canary, 'podinfo');
      await router.reconcile(canary);
      assert.equal(
        (await virtualRouter(canary, 'podinfo')).metadata?.resourceVersion,
        before.metadata?.resourceVersion,
      );

      const changed = {
        ...canary,
        spec: { ...canary.spec, service: { port: 9898, match: [{ uri: { prefix: '/api' } }] } },
      };
      await router.reconcile(changed);
      const apex = await virtualRouter(canary, 'podinfo');
      assert.equal(apex.spec?.routes?.[0]?.httpRoute?.match.prefix, '/api');
      assert.deepEqual(apex.spec.meshRef, meshRef);
      assert.equal(apex.spec.awsName, `podinfo_${canary.metadata.namespace ?? ''}`);
      assert.deepEqual(await router.getRoutes(canary), split(60, 40));

      // A changed spec of a node is rewritten, keeping the mesh reference.
      await cluster.client.patch(ref(canary, V1BETA2, 'VirtualNode', 'podinfo-primary'), 'merge', {
        spec: { serviceDiscovery: { dns: { hostname: 'elsewhere.' } } },
      });
      await router.reconcile(canary);
      const primary = await node(canary, 'podinfo-primary');
      assert.equal(
        primary.spec?.serviceDiscovery?.dns?.hostname,
        `podinfo-primary.${canary.metadata.namespace ?? ''}.svc.cluster.local.`,
      );
      assert.deepEqual(primary.spec.meshRef, meshRef);

      await router.setRoutes(canary, split(0, 100));
      assert.deepEqual(await router.getRoutes(canary), split(0, 100));
      await router.setRoutes(canary, split(0, 0));
      await assert.rejects(
        router.getRoutes(canary),
        /VirtualRouter podinfo does not contain routes for podinfo-primary and podinfo-canary/,
      );
    });

    it('routes A/B tests by header in front of a primary route', async () => {
      const canary = await newCanary(
        'appmesh:v1beta2',
        {},
        { iterations: 10, match: [{ headers: { 'x-user-type': { exact: 'test' } } }] },
      );
      await router.reconcile(canary);
      await router.setRoutes(canary, split(0, 100));
      assert.deepEqual((await virtualRouter(canary, 'podinfo')).spec?.routes, [
        {
          name: 'podinfo-a',
          priority: 10,
          httpRoute: {
            match: { prefix: '/', headers: [{ name: 'x-user-type', match: { exact: 'test' } }] },
            action: { weightedTargets: targets(100, 0) },
          },
        },
        {
          name: 'podinfo-b',
          priority: 20,
          httpRoute: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeRef: { name: 'podinfo-primary' }, weight: 100 }] },
          },
        },
      ]);
      assert.deepEqual(await router.getRoutes(canary), split(0, 100));
      // The canary router has no header routes.
      assert.equal((await virtualRouter(canary, 'podinfo-canary')).spec?.routes?.length, 1);
    });

    it('recreates a deleted virtual service and keeps gateway annotations in line with hosts', async () => {
      const canary = await newCanary('appmesh:v1beta2', { hosts: ['a.example.com'] });
      await router.reconcile(canary);
      await cluster.client.delete(ref(canary, V1BETA2, 'VirtualService', 'podinfo-canary'));
      await cluster.client.patch(ref(canary, V1BETA2, 'VirtualService', 'podinfo'), 'merge', {
        metadata: { annotations: { mine: 'kept' } },
      });
      const moved = {
        ...canary,
        spec: { ...canary.spec, service: { port: 9898, hosts: ['b.example.com'] } },
      };
      await router.reconcile(moved);
      assert.ok(await virtualService(canary, 'podinfo-canary'));
      assert.deepEqual((await virtualService(canary, 'podinfo')).metadata?.annotations, {
        mine: 'kept',
        'gateway.appmesh.k8s.aws/expose': 'true',
        'gateway.appmesh.k8s.aws/domain': 'b.example.com,',
        ...FLUX,
      });
    });

    it('leaves owner references out for a mesh in another cluster, and has nothing to finalize', async () => {
      const remote = new AppMeshV1beta2Router({ ...deps, setOwnerRefs: false });
      const canary = await newCanary('appmesh:v1beta2');
      await remote.reconcile(canary);
      for (const [kind, name] of [
        ['VirtualNode', 'podinfo-primary'],
        ['VirtualNode', 'podinfo-canary'],
        ['VirtualRouter', 'podinfo'],
        ['VirtualRouter', 'podinfo-canary'],
        ['VirtualService', 'podinfo'],
        ['VirtualService', 'podinfo-canary'],
      ] as const) {
        const object = await get(canary, V1BETA2, kind, name);
        assert.equal(object.metadata?.ownerReferences, undefined, `${kind} ${name}`);
      }
      await remote.finalize();
      assert.deepEqual(await remote.getRoutes(canary), split(100, 0));
    });

    it('reports a missing router in Flagger words', async () => {
      const canary = await newCanary('appmesh:v1beta2');
      await assert.rejects(router.getRoutes(canary), /VirtualRouter podinfo get query error/);
      await assert.rejects(router.setRoutes(canary, split(90, 10)), /VirtualRouter podinfo update error/);
    });
  });

  describe('appmesh (v1beta1)', () => {
    let router: AppMeshV1beta1Router;
    before(async () => {
      // The legacy controller's CRDs, which take the names of the current ones.
      await replaceCrds(cluster.client, providerCrds('appmesh-v1beta1'));
      router = new AppMeshV1beta1Router(deps);
    });

    const virtualService = (canary: Canary, name: string) =>
      get<VirtualServiceV1beta1>(canary, V1BETA1, 'VirtualService', name);
    const targets = (canaryWeight: number, primaryWeight: number) => [
      { virtualNodeName: 'podinfo-canary', weight: canaryWeight },
      { virtualNodeName: 'podinfo-primary', weight: primaryWeight },
    ];

    it('is what the registry gives for appmesh, as in Flagger', () => {
      assert.ok(createRouter('appmesh', deps) instanceof AppMeshV1beta1Router);
    });

    it('creates three virtual nodes and two virtual services in the mesh', async () => {
      const canary = await newCanary('appmesh', {
        backends: ['backend.test'],
        hosts: ['podinfo.example.com'],
      });
      const ns = canary.metadata.namespace ?? '';
      await router.reconcile(canary);
      for (const [name, host] of [
        ['podinfo', 'podinfo-primary'],
        ['podinfo-primary', 'podinfo-primary'],
        ['podinfo-canary', 'podinfo-canary'],
      ]) {
        const vn = await get<KubeObject & { spec?: unknown }>(canary, V1BETA1, 'VirtualNode', name ?? '');
        assert.equal(vn.apiVersion, V1BETA1);
        assert.deepEqual(vn.metadata?.ownerReferences, [canaryOwnerReference(canary)]);
        assert.deepEqual(vn.spec, {
          meshName: 'global',
          listeners: [{ portMapping: { port: 9898, protocol: 'http' } }],
          serviceDiscovery: { dns: { hostName: `${host ?? ''}.${ns}` } },
          backends: [{ virtualService: { virtualServiceName: 'backend.test' } }],
        });
      }
      const apex = await virtualService(canary, `podinfo.${ns}`);
      assert.deepEqual(apex.metadata?.ownerReferences, [canaryOwnerReference(canary)]);
      assert.deepEqual(apex.metadata.annotations, {
        'gateway.appmesh.k8s.aws/expose': 'true',
        'gateway.appmesh.k8s.aws/domain': 'podinfo.example.com,',
        ...FLUX,
      });
      assert.deepEqual(apex.spec, {
        meshName: 'global',
        virtualRouter: { name: 'podinfo', listeners: [{ portMapping: { port: 9898, protocol: 'http' } }] },
        routes: [
          { name: 'podinfo', http: { match: { prefix: '/' }, action: { weightedTargets: targets(0, 100) } } },
        ],
      });
      const canaryService = await virtualService(canary, `podinfo-canary.${ns}`);
      assert.equal(canaryService.spec?.virtualRouter?.name, 'podinfo-canary');
      assert.deepEqual(canaryService.spec.routes?.[0]?.http?.action.weightedTargets, targets(100, 0));
      assert.deepEqual(canaryService.metadata?.annotations, FLUX);
    });

    it('moves the weights, and reconcile keeps them', async () => {
      const canary = await newCanary('appmesh');
      await router.reconcile(canary);
      await router.setRoutes(canary, split(70, 30));
      assert.deepEqual(await router.getRoutes(canary), split(70, 30));
      const changed = {
        ...canary,
        spec: { ...canary.spec, service: { port: 9898, meshName: 'global', portName: 'grpc' } },
      };
      await router.reconcile(changed);
      const apex = await virtualService(canary, `podinfo.${canary.metadata.namespace ?? ''}`);
      assert.deepEqual(apex.spec?.virtualRouter?.listeners, [
        { portMapping: { port: 9898, protocol: 'grpc' } },
      ]);
      assert.deepEqual(await router.getRoutes(canary), split(70, 30));
    });

    it('routes A/B tests by header in front of a primary route', async () => {
      const canary = await newCanary(
        'appmesh',
        {},
        { iterations: 10, match: [{ headers: { 'x-canary': { exact: 'yes' } } }] },
      );
      await router.reconcile(canary);
      await router.setRoutes(canary, split(0, 100));
      const routes = (await virtualService(canary, `podinfo.${canary.metadata.namespace ?? ''}`)).spec
        ?.routes;
      assert.deepEqual(routes, [
        {
          name: 'podinfo-a',
          priority: 10,
          http: {
            match: { prefix: '/', headers: [{ name: 'x-canary', match: { exact: 'yes' } }] },
            action: { weightedTargets: targets(100, 0) },
          },
        },
        {
          name: 'podinfo-b',
          priority: 20,
          http: {
            match: { prefix: '/' },
            action: { weightedTargets: [{ virtualNodeName: 'podinfo-primary', weight: 100 }] },
          },
        },
      ]);
      assert.deepEqual(await router.getRoutes(canary), split(0, 100));
    });

    it('needs the mesh name', async () => {
      const canary = await newCanary('appmesh');
      const meshless = { ...canary, spec: { ...canary.spec, service: { port: 9898 } } };
      await assert.rejects(router.reconcile(meshless), /mesh name cannot be empty/);
    });
  });

  it('leaves mirroring and session affinity to validation, which rejects them; A/B tests pass', async () => {
    for (const provider of ['appmesh', 'appmesh:v1beta2'] as const) {
      const fields = async (analysis: Partial<CanaryAnalysis>) =>
        validateCanary(await newCanary(provider, {}, analysis), { noCrossNamespaceRefs: false }).map(
          p => p.field,
        );
      assert.deepEqual(await fields({ iterations: 5, match: [{ headers: { x: { exact: 'y' } } }] }), []);
      assert.deepEqual(await fields({ iterations: 5, mirror: true }), ['spec.analysis.mirror']);
      assert.deepEqual(await fields({ sessionAffinity: { cookieName: 'canary' } }), [
        'spec.analysis.sessionAffinity',
      ]);
    }
  });
});
