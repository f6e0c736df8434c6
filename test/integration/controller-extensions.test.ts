// The documented extensions (docs/extensions.md) end to end: the skip-analysis and reset annotations,
// analysis.delay and the controller's dry-run mode.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Canary, CanaryWebhook } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import type { RuntimeOptions } from '../../src/cli/controller-runtime.ts';
import type { CoreEvent, Deployment } from '../../src/kube/types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { HookServer } from '../harness/hook-server.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

const healthy = { rps: 10, successRate: 100, latencyMs: 50 };

describe('extensions: annotations, analysis delay, dry-run', () => {
  const cluster = useCluster();
  // Read at every (re)start of the controller: the dry-run test restarts it with dryRun set.
  const runtimeOptions: Partial<RuntimeOptions> = {};
  const flagger = useController(cluster, runtimeOptions);
  let hooks: HookServer;
  before(async () => (hooks = await HookServer.start()));
  after(() => hooks.stop());

  const ref = (ns: string) => ({ apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns });
  const phase = async (ns: string) => (await getCanary(cluster, ns)).status?.phase;
  const annotate = (ns: string, annotation: string) =>
    cluster.client.patch(ref(ns), 'merge', { metadata: { annotations: { [annotation]: 'true' } } });
  const annotations = async (ns: string) => (await getCanary(cluster, ns)).metadata.annotations ?? {};
  /** The controller's log lines about the canary, in order. */
  const logs = (ns: string) =>
    flagger.logs.filter(line => line.canary === `podinfo.${ns}`).map(line => String(line.msg));
  const count = (ns: string, message: string) => logs(ns).filter(line => line === message).length;
  const deployment = (ns: string, name: string) =>
    cluster.client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: ns });

  async function setup(ns: string, canary: Canary): Promise<void> {
    await flagger.serveTraffic(ns, 'podinfo', healthy);
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(canary);
    await eventually(async () => (await phase(ns)) === 'Initialized', 'not initialized', 60_000);
  }

  it('flagger.app/skip-analysis promotes one revision without analysis, later ones are analysed', async () => {
    const ns = await cluster.namespace();
    await setup(ns, podinfoCanary(ns));
    await annotate(ns, 'flagger.app/skip-analysis');
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    // Removing the annotation is the last step of the promotion.
    await eventually(
      async () => (await annotations(ns))['flagger.app/skip-analysis'] === undefined,
      'not promoted',
      60_000,
    );
    assert.equal(await phase(ns), 'Succeeded');
    const primary = await deployment(ns, 'podinfo-primary');
    assert.equal(primary.spec?.template.spec?.containers[0]?.image, 'podinfo:6.0.1');
    assert.ok(
      (await canaryEvents(cluster, ns)).includes(
        `Promotion completed! Canary analysis was skipped for podinfo.${ns}`,
      ),
    );
    assert.equal(count(ns, `Advance podinfo.${ns} canary weight 10`), 0);

    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.2');
    await eventually(
      () => count(ns, `Advance podinfo.${ns} canary weight 10`) === 1,
      'the next revision was not analysed',
      60_000,
    );
  });

  it('flagger.app/reset restarts a run in progress, and re-runs the current revision of an idle canary', async () => {
    const ns = await cluster.namespace();
    await setup(ns, podinfoCanary(ns));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 20,
      'no progress',
      60_000,
    );
    await annotate(ns, 'flagger.app/reset');
    await eventually(
      async () => (await annotations(ns))['flagger.app/reset'] === undefined,
      'not reset',
      30_000,
    );
    assert.equal(count(ns, `Analysis reset for podinfo.${ns}`), 1);
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'did not finish after the reset', 90_000);
    assert.equal(count(ns, `Advance podinfo.${ns} canary weight 10`), 2, 'the run did not start over');

    await annotate(ns, 'flagger.app/reset');
    await eventually(
      () => count(ns, `Promotion completed! Scaling down podinfo.${ns}`) === 2,
      'the idle canary was not analysed again',
      90_000,
    );
    assert.equal(count(ns, `New revision detected! Scaling up podinfo.${ns}`), 2);
    assert.equal(count(ns, `Analysis reset for podinfo.${ns}`), 2);
    assert.equal((await annotations(ns))['flagger.app/reset'], undefined);
  });

  it('analysis.delay holds the analysis after the first step until the delay has passed', async () => {
    const ns = await cluster.namespace();
    await setup(ns, podinfoCanary(ns, { delay: '10s' }));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'not promoted', 90_000);
    const start = Date.parse((await getCanary(cluster, ns)).status?.analysisStartTime ?? '');
    const lines = flagger.logs.filter(line => line.canary === `podinfo.${ns}`);
    const at = (message: string) => lines.findIndex(line => String(line.msg).startsWith(message));
    const first = at(`Advance podinfo.${ns} canary weight 10`);
    const delaying = at(`Delaying analysis of podinfo.${ns} for `);
    const second = at(`Advance podinfo.${ns} canary weight 20`);
    assert.ok(first >= 0 && first < delaying && delaying < second, logs(ns).join('\n'));
    assert.ok(Date.parse(String(lines[second]?.ts)) >= start + 10_000, 'metrics counted before the delay');
  });

  it('dry-run analyses and logs every decision but changes nothing', async () => {
    const ns = await cluster.namespace();
    const webhooks: CanaryWebhook[] = [
      { name: 'load', type: 'rollout', url: `${hooks.url}/load-${ns}` },
      { name: 'gate', type: 'confirm-traffic-increase', url: `${hooks.url}/gate-${ns}` },
    ];
    await setup(ns, podinfoCanary(ns, { maxWeight: 100, webhooks }));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 10,
      'no progress',
      60_000,
    );
    runtimeOptions.dryRun = true;
    try {
      await flagger.restart();
      const canary = await getCanary(cluster, ns);
      const events = await eventCounts(ns);
      const loadCalls = hooks.callsTo(`/load-${ns}`).length;
      const gateCalls = hooks.callsTo(`/gate-${ns}`).length;
      const next = (canary.status?.canaryWeight ?? 0) + 10;
      await eventually(
        () => count(ns, `[dry-run] would update status: canaryWeight=${next}`) >= 2,
        'dry-run took no decision',
        30_000,
      );
      assert.ok(count(ns, `Advance podinfo.${ns} canary weight ${next}`) >= 2);
      assert.ok(count(ns, `[dry-run] would route ${100 - next}% to primary, ${next}% to canary`) >= 2);
      assert.ok(count(ns, '[dry-run] would call rollout webhook load') >= 2);
      assert.equal(hooks.callsTo(`/load-${ns}`).length, loadCalls, 'a rollout hook was called');
      assert.ok(hooks.callsTo(`/gate-${ns}`).length > gateCalls, 'the gating hook was not asked');
      const after = await getCanary(cluster, ns);
      assert.equal(after.metadata.resourceVersion, canary.metadata.resourceVersion, 'the canary was changed');
      assert.deepEqual(await eventCounts(ns), events, 'events were recorded');
    } finally {
      runtimeOptions.dryRun = false;
      await flagger.restart();
    }
  });

  /** Each Kubernetes Event about the canary with its count (a repeated event is counted, not re-created). */
  async function eventCounts(ns: string): Promise<Record<string, number>> {
    const events = await cluster.client.list<CoreEvent>('v1', 'Event', { namespace: ns });
    return Object.fromEntries(
      events.items
        .filter(e => e.involvedObject.kind === 'Canary')
        .map(e => [e.metadata.name ?? '', e.count ?? 1]),
    );
  }
});
