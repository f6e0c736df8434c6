import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary, CanaryWebhook } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import type { DaemonSet, Deployment } from '../../src/kube/types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { HookServer } from '../harness/hook-server.ts';
import { podinfoCanary, podinfoDaemonSet, podinfoDeployment, setImage } from '../harness/workloads.ts';

const healthy = { rps: 10, successRate: 100, latencyMs: 50 };

describe('canary lifecycle: strategies, gates, restarts and bad input', () => {
  const cluster = useCluster();
  const flagger = useController(cluster);
  let hooks: HookServer;
  before(async () => (hooks = await HookServer.start()));
  after(() => hooks.stop());

  const phase = async (ns: string, name = 'podinfo') => (await getCanary(cluster, ns, name)).status?.phase;
  const hook = (name: string, type: CanaryWebhook['type']): CanaryWebhook => ({
    name,
    type,
    url: `${hooks.url}/${name}`,
  });
  const advances = async (ns: string) =>
    (await canaryEvents(cluster, ns)).filter(e => e.includes('canary weight'));
  const primaryImage = async (ns: string, kind = 'Deployment') =>
    (
      await cluster.client.get<Deployment | DaemonSet>({
        apiVersion: 'apps/v1',
        kind,
        name: 'podinfo-primary',
        namespace: ns,
      })
    ).spec?.template.spec?.containers[0]?.image;

  async function setup(
    ns: string,
    canary: Canary,
    kind: 'Deployment' | 'DaemonSet' = 'Deployment',
  ): Promise<void> {
    await flagger.serveTraffic(ns, 'podinfo', healthy);
    await cluster.client.create(
      kind === 'Deployment' ? podinfoDeployment(ns, 'podinfo:6.0.0') : podinfoDaemonSet(ns, 'podinfo:6.0.0'),
    );
    await cluster.client.create(canary);
    await eventually(
      async () => (await phase(ns, canary.metadata.name)) === 'Initialized',
      'not initialized',
      60_000,
    );
  }

  it('releases a DaemonSet', async () => {
    const ns = await cluster.namespace();
    await setup(ns, podinfoCanary(ns, {}, 'DaemonSet'), 'DaemonSet');
    const target = await cluster.client.get<DaemonSet>({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      name: 'podinfo',
      namespace: ns,
    });
    assert.equal(target.spec?.template.spec?.nodeSelector?.['flagger.app/scale-to-zero'], 'true');
    await setImage(cluster.client, ns, 'DaemonSet', 'podinfo:6.0.1');
    await eventually(
      async () => (await phase(ns)) === 'Succeeded',
      'daemonset release did not succeed',
      90_000,
    );
    assert.equal(await primaryImage(ns, 'DaemonSet'), 'podinfo:6.0.1');
  });

  it('waits at confirm-promotion, restarts on a new revision, then promotes once approved', async () => {
    const ns = await cluster.namespace();
    hooks.answer('/promote-gate', 403);
    await setup(ns, podinfoCanary(ns, { webhooks: [hook('promote-gate', 'confirm-promotion')] }));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => (await phase(ns)) === 'WaitingPromotion',
      'did not wait for promotion',
      60_000,
    );
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.2');
    await eventually(
      async () =>
        (await canaryEvents(cluster, ns)).includes(
          `New revision detected! Restarting analysis for podinfo.${ns}`,
        ),
      'analysis did not restart',
      30_000,
    );
    hooks.answer('/promote-gate', 200);
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'not promoted after approval', 90_000);
    assert.equal(await primaryImage(ns), 'podinfo:6.0.2');
    const events = await canaryEvents(cluster, ns);
    assert.ok(events.includes(`Halt podinfo.${ns} advancement waiting for promotion approval promote-gate`));
    assert.ok(events.includes('Confirm-promotion check promote-gate passed'));
  });

  it('gates with confirm-rollout, counts a failing pre-rollout hook, runs post-rollout and event hooks', async () => {
    const ns = await cluster.namespace();
    hooks.answer(`/rollout-gate-${ns}`, 403);
    hooks.answer(`/pre-${ns}`, 500);
    const webhooks: CanaryWebhook[] = [
      { name: 'rollout-gate', type: 'confirm-rollout', url: `${hooks.url}/rollout-gate-${ns}` },
      { name: 'pre', type: 'pre-rollout', url: `${hooks.url}/pre-${ns}` },
      { name: 'post', type: 'post-rollout', url: `${hooks.url}/post-${ns}` },
      { name: 'events', type: 'event', url: `${hooks.url}/events-${ns}` },
    ];
    await setup(ns, podinfoCanary(ns, { threshold: 10, webhooks }));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => (await phase(ns)) === 'Waiting',
      'confirm-rollout did not hold the release',
      30_000,
    );
    // Asked again every tick, the canary stays Waiting and says so once, as Flagger does.
    await eventually(() => hooks.callsTo(`/rollout-gate-${ns}`).length >= 3, 'gate not asked again', 30_000);
    assert.equal(await phase(ns), 'Waiting');
    const waiting = `Halt podinfo.${ns} advancement waiting for approval rollout-gate`;
    const said = hooks.callsTo(`/events-${ns}`).filter(c => c.body.metadata?.eventMessage === waiting);
    assert.equal(said.length, 1);
    assert.deepEqual(
      hooks
        .callsTo(`/rollout-gate-${ns}`)
        .slice(1)
        .map(c => c.body.phase),
      hooks
        .callsTo(`/rollout-gate-${ns}`)
        .slice(1)
        .map(() => 'Waiting'),
    );
    hooks.answer(`/rollout-gate-${ns}`, 200);
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.failedChecks ?? 0) >= 1,
      'pre-rollout failure not counted',
      30_000,
    );
    hooks.answer(`/pre-${ns}`, 200);
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'release did not succeed', 90_000);
    // The post-rollout hook is called right after Succeeded is written.
    await eventually(() => hooks.callsTo(`/post-${ns}`).length > 0, 'post-rollout hook not called');
    const [post] = hooks.callsTo(`/post-${ns}`);
    assert.deepEqual([post?.body.name, post?.body.namespace, post?.body.phase], ['podinfo', ns, 'Succeeded']);
    const events = hooks.callsTo(`/events-${ns}`).map(c => c.body.metadata?.eventMessage);
    assert.ok(events.includes(`New revision detected! Scaling up podinfo.${ns}`), events.join('\n'));
    const messages = await canaryEvents(cluster, ns);
    assert.ok(
      messages.some(m => m.startsWith(`Halt podinfo.${ns} advancement pre-rollout check pre failed`)),
      messages.join('\n'),
    );
  });

  it('rolls back when a rollback hook answers 2xx', async () => {
    const ns = await cluster.namespace();
    hooks.answer(`/rollback-${ns}`, 404);
    await setup(
      ns,
      podinfoCanary(ns, {
        maxWeight: 100,
        webhooks: [{ name: 'rollback', type: 'rollback', url: `${hooks.url}/rollback-${ns}` }],
      }),
    );
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 20,
      'no progress',
      60_000,
    );
    hooks.answer(`/rollback-${ns}`, 200);
    await eventually(async () => (await phase(ns)) === 'Failed', 'rollback hook did not roll back', 30_000);
    assert.ok(
      (await canaryEvents(cluster, ns)).includes(`Rolling back podinfo.${ns} manual webhook invoked`),
    );
    assert.equal(await primaryImage(ns), 'podinfo:6.0.0');
  });

  it('promotes at once with skipAnalysis', async () => {
    const ns = await cluster.namespace();
    const canary = podinfoCanary(ns);
    canary.spec.skipAnalysis = true;
    await setup(ns, canary);
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'skipAnalysis did not promote', 60_000);
    assert.equal(await primaryImage(ns), 'podinfo:6.0.1');
    assert.ok(
      (await canaryEvents(cluster, ns)).includes(
        `Promotion completed! Canary analysis was skipped for podinfo.${ns}`,
      ),
    );
    assert.deepEqual(await advances(ns), []);
  });

  it('freezes a suspended canary mid-analysis and resumes it', async () => {
    const ns = await cluster.namespace();
    await setup(ns, podinfoCanary(ns, { interval: '2s' }));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 10,
      'no progress',
      60_000,
    );
    const ref = { apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns };
    await cluster.client.patch(ref, 'merge', { spec: { suspend: true } });
    await sleep(1_000);
    const frozen = (await getCanary(cluster, ns)).status?.canaryWeight;
    await sleep(5_000);
    assert.equal((await getCanary(cluster, ns)).status?.canaryWeight, frozen);
    assert.ok((await canaryEvents(cluster, ns)).includes('skipping canary run as object is suspended'));
    await cluster.client.patch(ref, 'merge', { spec: { suspend: false } });
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'did not resume', 90_000);
  });

  it('resumes after a controller restart mid-analysis without losing or repeating a step', async () => {
    const ns = await cluster.namespace();
    await setup(ns, podinfoCanary(ns, { interval: '2s' }));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 20,
      'no progress',
      60_000,
    );
    await flagger.restart();
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'did not finish after restart', 90_000);
    assert.deepEqual(
      await advances(ns),
      [10, 20, 30, 40, 50].map(w => `Advance podinfo.${ns} canary weight ${w}`),
    );
  });

  it('reports an invalid canary in its status and events while other canaries progress', async () => {
    const ns = await cluster.namespace();
    const bad = podinfoCanary(ns, { stepWeight: undefined, stepWeights: [20, 10] });
    bad.metadata.name = 'bad';
    await cluster.client.create(bad);
    await setup(ns, podinfoCanary(ns));
    await eventually(
      async () => {
        const status = (await getCanary(cluster, ns, 'bad')).status;
        return status?.conditions?.some(c => c.type === 'Validated' && c.status === 'False') === true;
      },
      'invalid canary not reported',
      30_000,
    );
    const condition = (await getCanary(cluster, ns, 'bad')).status?.conditions?.find(
      c => c.type === 'Validated',
    );
    assert.match(condition?.message ?? '', /spec\.analysis\.stepWeights\[1\]/);
    assert.ok(
      (await canaryEvents(cluster, ns, 'bad')).some(e =>
        e.startsWith('Invalid canary spec: spec.analysis.stepWeights[1]'),
      ),
    );
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => (await phase(ns)) === 'Succeeded',
      'the valid canary did not progress',
      90_000,
    );
  });

  it('rejects a second canary on the same target until the first one is deleted', async () => {
    const ns = await cluster.namespace();
    await setup(ns, podinfoCanary(ns));
    const second = podinfoCanary(ns);
    second.metadata.name = 'second';
    await cluster.client.create(second);
    const validated = async () =>
      (await getCanary(cluster, ns, 'second')).status?.conditions?.find(c => c.type === 'Validated');
    await eventually(
      async () => (await validated())?.status === 'False',
      'second canary not rejected',
      30_000,
    );
    assert.equal(
      (await validated())?.message,
      'spec.targetRef: Deployment podinfo is already the target of canary podinfo',
    );
    assert.equal(await phase(ns), 'Initialized', 'the first canary keeps its target');

    await cluster.client.delete({ apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns });
    await eventually(
      async () => (await phase(ns, 'second')) === 'Initialized',
      'second did not take over',
      60_000,
    );
  });
});
