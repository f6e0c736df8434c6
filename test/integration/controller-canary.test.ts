import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { Canary } from '../../src/api/canary.ts';
import type { ConfigMap, Deployment, KubeObject, Service } from '../../src/kube/types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoConfig, podinfoDeployment, setImage } from '../harness/workloads.ts';

const healthy = { rps: 10, successRate: 100, latencyMs: 50 };

describe('canary release of a Deployment with Istio and real metrics', () => {
  const cluster = useCluster();
  const flagger = useController(cluster);
  const deployment = (namespace: string, name: string) =>
    cluster.client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace });
  const phase = async (namespace: string) => (await getCanary(cluster, namespace)).status?.phase;

  async function initialized(namespace: string, configMap?: string): Promise<void> {
    if (configMap) await cluster.client.create(podinfoConfig(namespace, 'blue'));
    await cluster.client.create(podinfoDeployment(namespace, 'podinfo:6.0.0', configMap));
    await cluster.client.create(podinfoCanary(namespace));
    await eventually(
      async () => (await phase(namespace)) === 'Initialized',
      'canary was not initialized',
      60_000,
    );
  }

  it('initializes: primary ready, target at 0, services and VirtualService as Flagger makes them', async () => {
    const ns = await cluster.namespace();
    await initialized(ns);
    const primary = await deployment(ns, 'podinfo-primary');
    assert.equal(primary.status?.readyReplicas, 2);
    assert.deepEqual(primary.spec?.selector.matchLabels, { app: 'podinfo-primary' });
    assert.equal((await deployment(ns, 'podinfo')).spec?.replicas, 0);
    const services = await cluster.client.list<Service>('v1', 'Service', { namespace: ns });
    assert.deepEqual(services.items.map(s => [s.metadata?.name, s.spec?.selector?.app]).sort(), [
      ['podinfo', 'podinfo-primary'],
      ['podinfo-canary', 'podinfo'],
      ['podinfo-primary', 'podinfo-primary'],
    ]);
    const vs = await cluster.client.get<
      KubeObject & { spec: { http: { route: { destination: { host: string }; weight: number }[] }[] } }
    >({ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', name: 'podinfo', namespace: ns });
    assert.deepEqual(
      vs.spec.http[0]?.route.map(r => [r.destination.host, r.weight]),
      [
        ['podinfo-primary', 100],
        ['podinfo-canary', 0],
      ],
    );
    const events = await canaryEvents(cluster, ns);
    assert.ok(events.includes(`Initialization done! podinfo.${ns}`));
    assert.ok(events.includes('all the metrics providers are available!'), events.join('\n'));
  });

  it('releases a new image step by step to 50%, promotes it and reports Succeeded', async () => {
    const ns = await cluster.namespace();
    await flagger.serveTraffic(ns, 'podinfo', healthy);
    await initialized(ns);
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'release did not succeed', 90_000);
    const primary = await deployment(ns, 'podinfo-primary');
    assert.equal(primary.spec?.template.spec?.containers[0]?.image, 'podinfo:6.0.1');
    assert.equal((await deployment(ns, 'podinfo')).spec?.replicas, 0);
    const events = await canaryEvents(cluster, ns);
    const expected = [
      `New revision detected! Scaling up podinfo.${ns}`,
      `Starting canary analysis for podinfo.${ns}`,
      ...[10, 20, 30, 40, 50].map(w => `Advance podinfo.${ns} canary weight ${w}`),
      `Copying podinfo.${ns} template spec to podinfo-primary.${ns}`,
      'Routing all traffic to primary',
      `Promotion completed! Scaling down podinfo.${ns}`,
    ];
    const logged = flagger.logs.filter(l => l.canary === `podinfo.${ns}`).map(l => String(l.msg));
    assert.deepEqual(
      logged.filter(m => expected.includes(m)),
      expected,
      'log order',
    );
    for (const message of expected) assert.ok(events.includes(message), `event ${message}`);
    const { stdout } = await promisify(execFile)(cluster.plane.binaries.kubectl, [
      '--kubeconfig',
      cluster.plane.kubeconfigPath,
      '-n',
      ns,
      'wait',
      'canary/podinfo',
      '--for=condition=promoted',
      '--timeout=10s',
    ]);
    assert.match(stdout, /condition met/);
  });

  it('rolls back after the failed-checks threshold when the success rate drops, leaving the primary alone', async () => {
    const ns = await cluster.namespace();
    await flagger.serveTraffic(ns, 'podinfo', { ...healthy, successRate: 50 });
    await initialized(ns);
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.2');
    await eventually(async () => (await phase(ns)) === 'Failed', 'canary did not fail', 90_000);
    assert.equal(
      (await deployment(ns, 'podinfo-primary')).spec?.template.spec?.containers[0]?.image,
      'podinfo:6.0.0',
    );
    assert.equal((await deployment(ns, 'podinfo')).spec?.replicas, 0);
    const events = await canaryEvents(cluster, ns);
    assert.ok(
      events.some(e => e.startsWith(`Halt podinfo.${ns} advancement success rate 50.00% < 99%`)),
      events.join('\n'),
    );
    assert.ok(events.includes(`Rolling back podinfo.${ns} failed checks threshold reached 2`));
    assert.ok(events.includes(`Canary failed! Scaling down podinfo.${ns}`));
    const canary = await getCanary(cluster, ns);
    assert.deepEqual(canary.status?.conditions?.find(c => c.type === 'Promoted')?.status, 'False');

    // The decision record, as a user sees it.
    const halt = `Halt podinfo.${ns} advancement success rate 50.00% < 99%`;
    assert.ok(
      events.includes(
        `Failed checks of podinfo.${ns}: request-success-rate (prometheus) failed 2 times: ${halt}`,
      ),
      events.join('\n'),
    );
    const { stdout } = await promisify(execFile)(cluster.plane.binaries.kubectl, [
      ...['--kubeconfig', cluster.plane.kubeconfigPath, '-n', ns, 'get', 'canary/podinfo', '-o', 'yaml'],
    ]);
    const record = (parse(stdout) as Canary).status?.metricChecks ?? [];
    assert.equal(record.length, 2, stdout);
    for (const check of record) {
      assert.deepEqual(
        [check.metric, check.provider, check.interval, check.value, check.min, check.verdict, check.message],
        ['request-success-rate', 'prometheus', '1m', 50, 99, 'Failed', halt],
      );
      assert.match(check.query ?? '', /^sum\( rate\( istio_requests_total\{ reporter="destination", /);
      assert.ok(Date.parse(check.time) > 0);
    }

    // Rolling the target back to the promoted spec does not start another release.
    const started = (await canaryEvents(cluster, ns)).filter(e =>
      e.startsWith('New revision detected'),
    ).length;
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.0');
    await new Promise(resolve => setTimeout(resolve, 4_000));
    assert.equal(await phase(ns), 'Failed');
    const after = (await canaryEvents(cluster, ns)).filter(e => e.startsWith('New revision detected')).length;
    assert.equal(after, started);
  });

  it('starts a release on a ConfigMap change alone and promotes the config', async () => {
    const ns = await cluster.namespace();
    await flagger.serveTraffic(ns, 'podinfo', healthy);
    await initialized(ns, 'podinfo-config');
    const before = (await getCanary(cluster, ns)).status?.lastPromotedSpec;
    const configRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'podinfo-config', namespace: ns };
    await cluster.client.modify<ConfigMap>(configRef, cm => {
      cm.data = { PODINFO_UI_COLOR: 'green' };
      return true;
    });
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'config change was not released', 90_000);
    const primaryConfig = await cluster.client.get<ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'podinfo-config-primary',
      namespace: ns,
    });
    assert.equal(primaryConfig.data?.PODINFO_UI_COLOR, 'green');
    assert.notEqual((await getCanary(cluster, ns)).status?.lastPromotedSpec, undefined);
    assert.equal(
      (await deployment(ns, 'podinfo-primary')).spec?.template.spec?.containers[0]?.image,
      'podinfo:6.0.0',
    );
    assert.ok(before);
  });

  it('takes over a status written by Flagger without a spurious release, and releases real changes', async () => {
    const ns = await cluster.namespace();
    await flagger.serveTraffic(ns, 'podinfo', healthy);
    await initialized(ns);
    // What Flagger leaves behind: its own hash format (a uint32 in Flagger's safe alphabet) and phase Succeeded.
    const ref = { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'podinfo', namespace: ns };
    await cluster.client.patch(
      ref,
      'merge',
      { status: { phase: 'Succeeded', lastAppliedSpec: '5f6b9d7c8d', lastPromotedSpec: '5f6b9d7c8d' } },
      'status',
    );
    await new Promise(resolve => setTimeout(resolve, 4_000));
    assert.equal(await phase(ns), 'Succeeded');
    assert.ok(!(await canaryEvents(cluster, ns)).some(e => e.startsWith('New revision detected')));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => (await canaryEvents(cluster, ns)).some(e => e.startsWith('New revision detected')),
      'no release',
      30_000,
    );
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'release did not succeed', 90_000);
    assert.equal(
      (await deployment(ns, 'podinfo-primary')).spec?.template.spec?.containers[0]?.image,
      'podinfo:6.0.1',
    );
  });
});
