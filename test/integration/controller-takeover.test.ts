// Swapping Flagger's image for ours: the controller starts over canaries whose status Flagger wrote, with its
// revision hashes, in every phase, and goes on as Flagger would have. Each canary is first brought to its phase
// by our controller (whose objects are Flagger's); the controller is then stopped, the statuses rewritten as
// Flagger writes them (its hash format, none of our extension fields), and a new controller started over them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryStatus, CanaryWebhook } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import type { Deployment } from '../../src/kube/types.ts';
import { isOwnHash } from '../../src/util/hash.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { HookServer } from '../harness/hook-server.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

/** Hashes in Flagger's format: FNV-32a in decimal, written in the safe alphabet (at most 10 characters). */
const FLAGGER_PROMOTED = '5d8f7b9c4';
const FLAGGER_APPLIED = '7c6b9d5f8';
const [V1, V2, V3] = ['podinfo:6.0.0', 'podinfo:6.0.1', 'podinfo:6.0.2'];
const QUICK: Partial<CanaryAnalysis> = {
  interval: '1s',
  threshold: 2,
  stepWeight: 50,
  maxWeight: 50,
  metrics: [],
};

describe('taking over canaries Flagger left in every phase', { concurrency: 10 }, () => {
  const cluster = useCluster();
  const flagger = useController(cluster);
  const hooks = { server: undefined as unknown as HookServer };
  const ns: Record<string, string> = {};
  /** How many events each canary had when the new controller started. */
  const eventsBefore: Record<string, number> = {};
  const ref = (scenario: string) => ({
    apiVersion: API_VERSION,
    kind: 'Canary',
    name: 'podinfo',
    namespace: ns[scenario] ?? '',
  });
  const canary = (scenario: string) => getCanary(cluster, ns[scenario] ?? '');
  const phase = async (scenario: string) => (await canary(scenario)).status?.phase;
  const gate = (scenario: string, name: string) => `/${scenario}/${name}`;
  const hook = (scenario: string, type: CanaryWebhook['type'], name: string = type ?? '') => ({
    name,
    type,
    url: `${hooks.server.url}${gate(scenario, name)}`,
  });
  const newEvents = async (scenario: string) =>
    (await canaryEvents(cluster, ns[scenario] ?? '')).slice(eventsBefore[scenario] ?? 0);
  const waitFor = (scenario: string, wanted: string, timeoutMs = 90_000) =>
    eventually(async () => (await phase(scenario)) === wanted, `${scenario} not ${wanted}`, timeoutMs).catch(
      async (err: unknown) => {
        const events = await canaryEvents(cluster, ns[scenario] ?? '');
        throw new Error(`${(err as Error).message}; events:\n${events.join('\n')}`);
      },
    );
  const adopted = (scenario: string) =>
    eventually(
      async () => isOwnHash((await canary(scenario)).status?.lastAppliedSpec),
      `${scenario}: Flagger's revision was not adopted`,
    );
  const primaryImage = async (scenario: string) => {
    const primary = await cluster.client.get<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'podinfo-primary',
      namespace: ns[scenario] ?? '',
    });
    return primary.spec?.template.spec?.containers[0]?.image;
  };

  /** Creates podinfo at V1 and its canary, and waits for the initialization. */
  async function setup(
    scenario: string,
    analysis: Partial<CanaryAnalysis>,
    extra: Partial<Canary['spec']> = {},
  ) {
    ns[scenario] = await cluster.namespace(scenario.toLowerCase());
    await cluster.client.create(podinfoDeployment(ns[scenario], V1));
    const object = podinfoCanary(ns[scenario], { ...QUICK, ...analysis });
    object.spec = { ...object.spec, ...extra };
    await cluster.client.create(object);
    await waitFor(scenario, 'Initialized');
  }

  before(async () => {
    hooks.server = await HookServer.start();
    const server = hooks.server;
    // Bring each canary to the phase Flagger leaves it in.
    await Promise.all([
      (async () => {
        await setup('Succeeded', {});
        await setImage(cluster.client, ns.Succeeded ?? '', 'Deployment', V2);
        await waitFor('Succeeded', 'Succeeded');
      })(),
      (async () => {
        await setup('Failed', { webhooks: [hook('Failed', 'pre-rollout', 'acceptance')] });
        server.answer(gate('Failed', 'acceptance'), 500);
        await setImage(cluster.client, ns.Failed ?? '', 'Deployment', V2);
        await waitFor('Failed', 'Failed');
      })(),
      (async () => {
        await setup('Progressing', {
          stepWeight: 10,
          webhooks: [hook('Progressing', 'confirm-traffic-increase')],
        });
        await setImage(cluster.client, ns.Progressing ?? '', 'Deployment', V2);
        await eventually(
          async () => ((await canary('Progressing')).status?.canaryWeight ?? 0) >= 20,
          'no weight 20',
        );
        server.answer(gate('Progressing', 'confirm-traffic-increase'), 403);
      })(),
      (async () => {
        await setup('WaitingPromotion', { webhooks: [hook('WaitingPromotion', 'confirm-promotion')] });
        server.answer(gate('WaitingPromotion', 'confirm-promotion'), 403);
        await setImage(cluster.client, ns.WaitingPromotion ?? '', 'Deployment', V2);
        await waitFor('WaitingPromotion', 'WaitingPromotion');
      })(),
      (async () => {
        await setup('Waiting', { webhooks: [hook('Waiting', 'confirm-rollout')] });
        server.answer(gate('Waiting', 'confirm-rollout'), 403);
        await setImage(cluster.client, ns.Waiting ?? '', 'Deployment', V2);
        await waitFor('Waiting', 'Waiting');
      })(),
      (async () => {
        await setup('Finalising', {});
        await setImage(cluster.client, ns.Finalising ?? '', 'Deployment', V2);
        await waitFor('Finalising', 'Succeeded');
      })(),
      (async () => {
        await setup('Terminating', {}, { revertOnDeletion: true });
      })(),
    ]);
    // Promoting lasts ten ticks here (50% back in steps of 5): the controller stops somewhere in them.
    await setup('Promoting', { stepWeightPromotion: 5 });
    await setImage(cluster.client, ns.Promoting ?? '', 'Deployment', V2);
    await waitFor('Promoting', 'Promoting');
    await flagger.stop();

    // What Flagger would have left: its hashes, its conditions, none of our fields.
    for (const scenario of Object.keys(ns)) {
      const stored = await canary(scenario);
      const promoted = ['Succeeded', 'Finalising', 'Terminating'].includes(scenario);
      await writeStatus(stored, flaggerStatus(stored.status ?? {}, promoted));
    }
    const finalising = await canary('Finalising');
    await writeStatus(finalising, { ...finalising.status, phase: 'Finalising' });
    // Flagger's Initializing: the phase set, nothing created yet.
    ns.Initializing = await cluster.namespace('initializing');
    await cluster.client.create(podinfoDeployment(ns.Initializing, V1));
    const created = await cluster.client.create(podinfoCanary(ns.Initializing, QUICK));
    await writeStatus(created, { phase: 'Initializing' });
    // Flagger's Terminating: the Canary deleted, held by Flagger's finalizer.
    await cluster.client.delete(ref('Terminating'));
    const terminating = await canary('Terminating');
    await writeStatus(terminating, { ...terminating.status, phase: 'Terminating' });

    for (const scenario of Object.keys(ns))
      eventsBefore[scenario] = (await canaryEvents(cluster, ns[scenario] ?? '')).length;
    await flagger.start();
  });
  after(() => hooks.server.stop());

  async function writeStatus(stored: Canary, status: CanaryStatus): Promise<void> {
    await cluster.client.updateStatus({ ...stored, status });
  }

  it('Succeeded: nothing happens, and the next revision is released', async () => {
    await adopted('Succeeded');
    assert.deepEqual(await newEvents('Succeeded'), []);
    await setImage(cluster.client, ns.Succeeded ?? '', 'Deployment', V3);
    await eventually(async () => (await primaryImage('Succeeded')) === V3, 'V3 not released', 60_000);
    await waitFor('Succeeded', 'Succeeded');
    assert.ok(
      (await newEvents('Succeeded')).includes(
        `New revision detected! Scaling up podinfo.${ns.Succeeded ?? ''}`,
      ),
    );
  });

  it('Failed: the rejected revision is not analysed again; the next one is', async () => {
    await adopted('Failed');
    const calls = hooks.server.callsTo(gate('Failed', 'acceptance')).length;
    await new Promise(resolve => setTimeout(resolve, 3_000));
    assert.equal(await phase('Failed'), 'Failed');
    assert.deepEqual(await newEvents('Failed'), []);
    assert.equal(
      hooks.server.callsTo(gate('Failed', 'acceptance')).length,
      calls,
      'no pre-rollout hook re-run',
    );
    const target = await cluster.client.get<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'podinfo',
      namespace: ns.Failed ?? '',
    });
    assert.equal(target.spec?.replicas, 0, 'the rejected revision stays scaled down');
    hooks.server.answer(gate('Failed', 'acceptance'), 200);
    await setImage(cluster.client, ns.Failed ?? '', 'Deployment', V3);
    await eventually(async () => (await primaryImage('Failed')) === V3, 'V3 not released', 60_000);
  });

  it('Progressing: goes on from its weight, its closed gate still pending', async () => {
    const before = (await canary('Progressing')).status?.canaryWeight ?? 0;
    await adopted('Progressing');
    const asked = hooks.server.callsTo(gate('Progressing', 'confirm-traffic-increase')).length;
    await eventually(
      () => hooks.server.callsTo(gate('Progressing', 'confirm-traffic-increase')).length >= asked + 2,
      'the gate was not asked again',
    );
    assert.equal(await phase('Progressing'), 'Progressing');
    assert.equal((await canary('Progressing')).status?.canaryWeight, before);
    hooks.server.answer(gate('Progressing', 'confirm-traffic-increase'), 200);
    await waitFor('Progressing', 'Succeeded');
    const events = await newEvents('Progressing');
    const id = `podinfo.${ns.Progressing ?? ''}`;
    assert.equal(
      events.find(e => e.startsWith(`Advance ${id} canary weight`)),
      `Advance ${id} canary weight ${before + 10}`,
    );
    assert.ok(
      !events.some(e => e.startsWith('New revision detected') || e.startsWith('Starting canary analysis')),
      events.join('\n'),
    );
    assert.equal(await primaryImage('Progressing'), V2);
  });

  it('WaitingPromotion: the promotion gate is still pending, then promotes', async () => {
    await adopted('WaitingPromotion');
    const asked = hooks.server.callsTo(gate('WaitingPromotion', 'confirm-promotion')).length;
    await eventually(
      () => hooks.server.callsTo(gate('WaitingPromotion', 'confirm-promotion')).length >= asked + 2,
      'the gate was not asked again',
    );
    assert.equal(await phase('WaitingPromotion'), 'WaitingPromotion');
    hooks.server.answer(gate('WaitingPromotion', 'confirm-promotion'), 200);
    await waitFor('WaitingPromotion', 'Succeeded');
    const events = await newEvents('WaitingPromotion');
    assert.ok(
      !events.some(e => e.startsWith('New revision detected') || e.startsWith('Starting canary analysis')),
      events.join('\n'),
    );
    assert.equal(await primaryImage('WaitingPromotion'), V2);
  });

  it('Waiting: the confirm-rollout gate is still pending, then the release starts', async () => {
    await adopted('Waiting');
    const asked = hooks.server.callsTo(gate('Waiting', 'confirm-rollout')).length;
    await eventually(
      () => hooks.server.callsTo(gate('Waiting', 'confirm-rollout')).length >= asked + 2,
      'not asked again',
    );
    assert.equal(await phase('Waiting'), 'Waiting');
    assert.deepEqual(await newEvents('Waiting'), []);
    hooks.server.answer(gate('Waiting', 'confirm-rollout'), 200);
    await waitFor('Waiting', 'Succeeded');
    const id = `podinfo.${ns.Waiting ?? ''}`;
    assert.equal(
      (await newEvents('Waiting')).filter(e => e === `New revision detected! Scaling up ${id}`).length,
      1,
    );
    assert.equal(await primaryImage('Waiting'), V2);
  });

  for (const scenario of ['Promoting', 'Finalising']) {
    it(`${scenario}: the promotion is completed`, async () => {
      await waitFor(scenario, 'Succeeded');
      const events = await newEvents(scenario);
      assert.ok(
        events.includes(`Promotion completed! Scaling down podinfo.${ns[scenario] ?? ''}`),
        events.join('\n'),
      );
      assert.ok(!events.some(e => e.startsWith('New revision detected')), events.join('\n'));
      assert.equal(await primaryImage(scenario), V2);
      assert.ok(isOwnHash((await canary(scenario)).status?.lastPromotedSpec));
    });
  }

  it('Initializing: the initialization is completed', async () => {
    await waitFor('Initializing', 'Initialized');
    assert.ok(
      (await newEvents('Initializing')).includes(`Initialization done! podinfo.${ns.Initializing ?? ''}`),
    );
  });

  it('Terminating: the canary is reverted and released', async () => {
    await eventually(
      async () => (await cluster.client.tryGet(ref('Terminating'))) === undefined,
      'not finalized',
      60_000,
    );
    const target = await cluster.client.get<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'podinfo',
      namespace: ns.Terminating ?? '',
    });
    assert.equal(target.spec?.replicas, 2);
  });

  it('logs one line per canary taken over', async () => {
    const scenarios = [
      'Succeeded',
      'Failed',
      'Progressing',
      'WaitingPromotion',
      'Waiting',
      'Promoting',
      'Finalising',
    ];
    const lines = (scenario: string) =>
      flagger.logs.filter(line =>
        String(line.msg).startsWith(`Taking over canary podinfo.${ns[scenario] ?? ''} `),
      );
    await eventually(
      () => scenarios.every(scenario => lines(scenario).length > 0),
      'a takeover was not logged',
    );
    for (const scenario of scenarios)
      assert.equal(lines(scenario).length, 1, `${scenario}: ${JSON.stringify(lines(scenario))}`);
  });
});

/** The status as Flagger writes it: its hash format, only its own fields and its Promoted condition. */
function flaggerStatus(status: CanaryStatus, promoted: boolean): CanaryStatus {
  const kept: CanaryStatus = { ...status };
  delete kept.metricChecks;
  delete kept.analysisStartTime;
  return {
    ...kept,
    lastAppliedSpec: promoted ? FLAGGER_PROMOTED : FLAGGER_APPLIED,
    lastPromotedSpec: FLAGGER_PROMOTED,
    conditions: (status.conditions ?? [])
      .filter(c => c.type === 'Promoted')
      .map(c => {
        const condition = { ...c };
        delete condition.observedGeneration;
        return condition;
      }),
  };
}
