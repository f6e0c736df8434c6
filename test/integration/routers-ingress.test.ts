import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanaryAnalysis } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import type { Provider } from '../../src/api/providers.ts';
import { FLUX_DISABLED_ANNOTATIONS as FLUX, canaryOwnerReference } from '../../src/api/generated-objects.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import type { Ingress } from '../../src/routers/canary-ingress.ts';
import { NginxRouter } from '../../src/routers/nginx.ts';
import { SkipperRouter } from '../../src/routers/skipper.ts';
import { useCluster } from '../harness/cluster.ts';
import {
  INGRESS_REF,
  ingressPath as path,
  split,
  userIngress,
  userIngressSpec as userSpec,
} from '../harness/router-fixtures.ts';

const NGINX = 'nginx.ingress.kubernetes.io';
const PREDICATE = 'zalando.org/skipper-predicate';
describe('Ingress routers (NGINX, Skipper) on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  const logger = silentLogger();
  let nginx: NginxRouter;
  let skipper: SkipperRouter;

  before(async () => {
    await installCrds(cluster.client, buildCrds());
    const deps = { kube: cluster.client, logger, setOwnerRefs: true };
    nginx = new NginxRouter({ ...deps, ingressAnnotationsPrefix: NGINX });
    skipper = new SkipperRouter(deps);
  });

  /** A namespace with the user's Ingress `web` and a Canary pointing at it. */
  async function setup(provider: Provider, analysis: Partial<CanaryAnalysis> = {}, annotations = {}) {
    const namespace = await cluster.namespace(provider);
    await cluster.client.create(userIngress(namespace, annotations));
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        provider,
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        ingressRef: INGRESS_REF,
        service: { port: 80 },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10, ...analysis },
      },
    });
  }

  const ingressRef = (canary: Canary, name: string) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    name,
    namespace: canary.metadata.namespace,
  });
  const ingress = (canary: Canary, name = 'web-canary') =>
    cluster.client.get<Ingress>(ingressRef(canary, name));
  /** Adds a path to the apex Service on the user's Ingress. */
  const addUserPath = (canary: Canary) =>
    cluster.client.modify<Ingress>(ingressRef(canary, 'web'), current => {
      current.spec?.rules?.[0]?.http?.paths.push(path('/api', 'podinfo'));
      return true;
    });

  describe('nginx', () => {
    it("clones the user's Ingress with the canary backend and the canary switched off", async () => {
      const user = {
        [`${NGINX}/rewrite-target`]: '/',
        [`${NGINX}/canary-weight`]: '50',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
      };
      const canary = await setup('nginx', {}, user);
      await nginx.reconcile(canary);
      const created = await ingress(canary);
      const expected = userSpec();
      expected.rules![0]!.http!.paths = [path('/', 'podinfo-canary'), path('/docs', 'docs')];
      assert.deepEqual(created.spec, expected);
      assert.deepEqual(created.metadata?.labels, { app: 'web' });
      assert.deepEqual(created.metadata.annotations, {
        [`${NGINX}/rewrite-target`]: '/',
        [`${NGINX}/canary`]: 'false',
        ...FLUX,
      });
      assert.deepEqual(created.metadata.ownerReferences, [canaryOwnerReference(canary)]);
      assert.deepEqual(await nginx.getRoutes(canary), split(100, 0));
      assert.deepEqual((await ingress(canary, 'web')).spec, userSpec());
    });

    it('moves the weight, and reconcile keeps it while following the user Ingress', async () => {
      const canary = await setup('nginx');
      await nginx.reconcile(canary);
      await nginx.setRoutes(canary, split(70, 30));
      assert.deepEqual(await nginx.getRoutes(canary), split(70, 30));
      const annotations = (await ingress(canary)).metadata?.annotations;
      assert.equal(annotations?.[`${NGINX}/canary`], 'true');
      assert.equal(annotations[`${NGINX}/canary-weight`], '30');

      const before = await ingress(canary);
      await nginx.reconcile(canary);
      assert.equal((await ingress(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

      await addUserPath(canary);
      await nginx.reconcile(canary);
      const paths = (await ingress(canary)).spec?.rules?.[0]?.http?.paths;
      assert.deepEqual(paths?.[2], path('/api', 'podinfo-canary'));
      assert.deepEqual(await nginx.getRoutes(canary), split(70, 30));

      await nginx.setRoutes(canary, split(0, 100));
      assert.deepEqual(await nginx.getRoutes(canary), split(0, 100));
      await nginx.setRoutes(canary, split(100, 0));
      assert.deepEqual(await nginx.getRoutes(canary), split(100, 0));
      assert.equal((await ingress(canary)).metadata?.annotations?.[`${NGINX}/canary`], 'false');
    });

    it('routes A/B tests by header and cookie', async () => {
      const match: CanaryAnalysis['match'] = [
        { headers: { 'x-canary': { exact: 'insider' } } },
        { headers: { cookie: { exact: 'canary' } } },
      ];
      const canary = await setup('nginx', { iterations: 10, match });
      await nginx.reconcile(canary);
      await nginx.setRoutes(canary, split(0, 100));
      assert.deepEqual(await nginx.getRoutes(canary), split(0, 100));
      assert.deepEqual((await ingress(canary)).metadata?.annotations, {
        [`${NGINX}/canary`]: 'true',
        [`${NGINX}/canary-by-header`]: 'x-canary',
        [`${NGINX}/canary-by-header-value`]: 'insider',
        [`${NGINX}/canary-by-cookie`]: 'canary',
        ...FLUX,
      });
      await nginx.setRoutes(canary, split(100, 0));
      assert.deepEqual(await nginx.getRoutes(canary), split(100, 0));
      assert.deepEqual((await ingress(canary)).metadata?.annotations, {
        [`${NGINX}/canary`]: 'false',
        ...FLUX,
      });
    });

    it('uses the configured annotation prefix and sets no owner reference for a remote mesh', async () => {
      const remote = new NginxRouter({
        kube: cluster.client,
        logger,
        setOwnerRefs: false,
        ingressAnnotationsPrefix: 'custom.ingress.io',
      });
      const canary = await setup('nginx');
      await remote.reconcile(canary);
      await remote.setRoutes(canary, split(80, 20));
      const created = await ingress(canary);
      assert.equal(created.metadata?.ownerReferences, undefined);
      assert.equal(created.metadata?.annotations?.['custom.ingress.io/canary-weight'], '20');
      assert.deepEqual(await remote.getRoutes(canary), split(80, 20));
    });

    it('refuses a canary without ingressRef or an Ingress without the apex Service', async () => {
      const canary = await setup('nginx');
      const unset = { ...canary, spec: { ...canary.spec, ingressRef: undefined } };
      await assert.rejects(nginx.reconcile(unset), /ingress selector is empty/);
      const other = { ...canary, spec: { ...canary.spec, service: { port: 80, name: 'api' } } };
      await assert.rejects(nginx.reconcile(other), /backend api not found in ingress web/);
    });
  });

  describe('skipper', () => {
    it('routes the apex paths to the primary and to the canary, at 100/0', async () => {
      const user = { [PREDICATE]: 'Host(/^app/)', 'zalando.org/skipper-filter': 'compress()' };
      const canary = await setup('skipper', {}, user);
      await skipper.reconcile(canary);
      const created = await ingress(canary);
      const expected = userSpec();
      expected.rules![0]!.http!.paths = [
        path('/', 'podinfo-primary'),
        path('/docs', 'docs'),
        path('/', 'podinfo-canary'),
      ];
      assert.deepEqual(created.spec, expected);
      assert.deepEqual(created.metadata?.labels, { app: 'web' });
      assert.deepEqual(created.metadata.annotations, {
        'zalando.org/skipper-filter': 'compress()',
        'zalando.org/backend-weights': '{"podinfo-canary":0,"podinfo-primary":100}',
        [PREDICATE]: 'Weight(100) && Host(/^app/)',
        ...FLUX,
      });
      assert.deepEqual(created.metadata.ownerReferences, [canaryOwnerReference(canary)]);
      assert.deepEqual(await skipper.getRoutes(canary), split(100, 0));
    });

    it('moves the weights, and reconcile keeps them while following the user Ingress', async () => {
      const canary = await setup('skipper');
      await skipper.reconcile(canary);
      await skipper.setRoutes(canary, split(90, 10));
      assert.deepEqual(await skipper.getRoutes(canary), split(90, 10));

      const before = await ingress(canary);
      await skipper.reconcile(canary);
      assert.equal((await ingress(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

      await addUserPath(canary);
      await skipper.reconcile(canary);
      const paths = (await ingress(canary)).spec?.rules?.[0]?.http?.paths;
      assert.deepEqual(paths?.slice(2), [
        path('/api', 'podinfo-primary'),
        path('/', 'podinfo-canary'),
        path('/api', 'podinfo-canary'),
      ]);
      assert.deepEqual(await skipper.getRoutes(canary), split(90, 10));

      await skipper.setRoutes(canary, split(0, 100));
      assert.deepEqual(await skipper.getRoutes(canary), split(0, 100));
      await skipper.setRoutes(canary, split(100, 0));
      assert.equal((await ingress(canary)).metadata?.annotations?.[PREDICATE], 'False()');
      assert.deepEqual(await skipper.getRoutes(canary), split(100, 0));
    });

    it('deletes the canary Ingress on finalize, and tolerates a missing one', async () => {
      const canary = await setup('skipper');
      await skipper.reconcile(canary);
      await skipper.finalize(canary);
      await assert.rejects(ingress(canary), /not found/i);
      await skipper.finalize(canary);
      assert.ok(await ingress(canary, 'web'));
    });
  });
});
