import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Canary, CanarySpec } from '../../src/api/canary.ts';
import { buildCrds } from '../../src/api/crds.ts';
import { FLUX_DISABLED_ANNOTATIONS as FLUX } from '../../src/api/generated-objects.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import type { Upstream } from '../../src/routers/gloo-upstreams.ts';
import { GlooRouter, type RouteTableSpec } from '../../src/routers/gloo.ts';
import { useCluster } from '../harness/cluster.ts';
import {
  GLOO_SLOW_START as SLOW_START,
  GLOO_UPSTREAM_REF,
  glooUpstreamConfig,
  providerCrds,
  split,
} from '../harness/router-fixtures.ts';

describe('Gloo router on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  const logger = silentLogger();
  let router: GlooRouter;

  before(async () => {
    await installCrds(cluster.client, [...buildCrds(), ...providerCrds('gloo')]);
    router = new GlooRouter({
      kube: cluster.client,
      logger,
      setOwnerRefs: true,
      includeLabelPrefix: ['app'],
    });
  });

  /** A Canary with its `-primary` and `-canary` Services (the ServiceRouter's) and a config Upstream. */
  async function newCanary(spec: Partial<CanarySpec> = {}): Promise<Canary> {
    const namespace = await cluster.namespace('gloo');
    for (const role of ['primary', 'canary']) {
      await cluster.client.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `podinfo-${role}`, namespace, labels: { app: `podinfo-${role}`, team: 'web' } },
        spec: { selector: { app: `podinfo-${role}` }, ports: [{ name: 'http', port: 9898 }] },
      });
    }
    await cluster.client.create(glooUpstreamConfig(namespace));
    return cluster.client.create<Canary>({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'podinfo', namespace },
      spec: {
        provider: 'gloo',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        upstreamRef: GLOO_UPSTREAM_REF,
        service: { port: 9898 },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10 },
        ...spec,
      },
    });
  }
  const get = <T extends KubeObject>(canary: Canary, apiVersion: string, kind: string, name: string) =>
    cluster.client.get<T>({ apiVersion, kind, name, namespace: canary.metadata.namespace });
  const routeTable = (canary: Canary) =>
    get<KubeObject & { spec?: RouteTableSpec }>(canary, 'gateway.solo.io/v1', 'RouteTable', 'podinfo');
  const upstream = (canary: Canary, role: string) =>
    get<Upstream>(
      canary,
      'gloo.solo.io/v1',
      'Upstream',
      `${canary.metadata.namespace ?? ''}-podinfo-${role}upstream-9898`,
    );

  it('creates the Upstreams from the Services and upstreamRef, and the RouteTable', async () => {
    const canary = await newCanary();
    const ns = canary.metadata.namespace ?? '';
    await router.reconcile(canary);
    const primary = await upstream(canary, 'primary');
    assert.deepEqual(primary.spec, {
      kube: {
        serviceName: 'podinfo-primary',
        serviceNamespace: ns,
        servicePort: 9898,
        selector: { app: 'podinfo-primary' },
      },
      connectionConfig: { maxRequestsPerConnection: 10 },
      loadBalancerConfig: SLOW_START,
    });
    assert.deepEqual(primary.metadata?.labels, { app: 'podinfo-primary' });
    assert.equal(primary.metadata.ownerReferences?.[0]?.uid, canary.metadata.uid);
    assert.equal((await upstream(canary, 'canary')).spec?.kube?.serviceName, 'podinfo-canary');

    const table = await routeTable(canary);
    assert.deepEqual(table.metadata?.annotations, FLUX);
    assert.deepEqual(table.spec, {
      routes: [
        {
          routeAction: {
            multi: {
              destinations: [
                {
                  destination: { upstream: { name: `${ns}-podinfo-primaryupstream-9898`, namespace: ns } },
                  weight: 100,
                },
                { destination: { upstream: { name: `${ns}-podinfo-canaryupstream-9898`, namespace: ns } } },
              ],
            },
          },
          inheritablePathMatchers: true,
        },
      ],
    });
    assert.deepEqual(await router.getRoutes(canary), split(100, 0));
  });

  it('round-trips the split, the reconcile keeps it, and the load balancer config follows upstreamRef', async () => {
    const canary = await newCanary();
    await router.reconcile(canary);
    await router.setRoutes(canary, split(70, 30));
    assert.deepEqual(await router.getRoutes(canary), split(70, 30));

    const before = await routeTable(canary);
    await router.reconcile(canary);
    assert.equal((await routeTable(canary)).metadata?.resourceVersion, before.metadata?.resourceVersion);

    const leastRequest = { leastRequest: { choiceCount: 3 } };
    await cluster.client.modify<Upstream>(
      {
        apiVersion: 'gloo.solo.io/v1',
        kind: 'Upstream',
        name: 'config',
        namespace: canary.metadata.namespace,
      },
      config => {
        config.spec = {
          loadBalancerConfig: leastRequest,
          connectionConfig: { maxRequestsPerConnection: 99 },
        };
        return true;
      },
    );
    await router.reconcile(canary);
    const primary = await upstream(canary, 'primary');
    assert.deepEqual(primary.spec?.loadBalancerConfig, leastRequest);
    assert.deepEqual(primary.spec.connectionConfig, { maxRequestsPerConnection: 10 });
    assert.deepEqual(await router.getRoutes(canary), split(70, 30));

    await router.setRoutes(canary, split(0, 100));
    assert.deepEqual(await router.getRoutes(canary), split(0, 100));
    await assert.rejects(router.setRoutes(canary, split(0, 0)), /no valid weights/);
  });

  it('routes A/B header matches, and fails without the Services', async () => {
    const canary = await newCanary({
      analysis: {
        interval: '1m',
        iterations: 5,
        match: [{ headers: { 'x-canary': { regex: '^insider$' } } }],
      },
    });
    await router.reconcile(canary);
    assert.deepEqual((await routeTable(canary)).spec?.routes[0]?.matchers, [
      { headers: [{ name: 'x-canary', value: '^insider$', regex: true }] },
    ]);
    await router.setRoutes(canary, split(0, 100));
    assert.deepEqual(await router.getRoutes(canary), split(0, 100));

    const other = { ...canary, spec: { ...canary.spec, service: { port: 9898, name: 'missing' } } };
    await assert.rejects(router.reconcile(other), /service missing-primary\.gloo-\w+ get query error/);
  });
});
