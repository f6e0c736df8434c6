// Control annotations (extension): promote one step now, pause, resume and abort a release, each acted on at
// once (the annotation change runs the canary's next tick) instead of at the next analysis interval.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_VERSION } from '../../src/api/crds.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

describe('control annotations on a real control plane', () => {
  const cluster = useCluster();
  const flagger = useController(cluster);

  it('promotes one step now, holds while paused, and aborts at once', async () => {
    const ns = await cluster.namespace('control');
    const ref = { apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns };
    const annotate = (annotations: Record<string, string | null>) =>
      cluster.client.patch(ref, 'merge', { metadata: { annotations } });
    const canary = () => getCanary(cluster, ns);
    await flagger.serveTraffic(ns, 'podinfo', { rps: 10, successRate: 100, latencyMs: 30 });
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(podinfoCanary(ns, { interval: '2s', stepWeight: 20, maxWeight: 60 }));
    await eventually(async () => (await canary()).status?.phase === 'Initialized', 'init', 60_000);
    // From now on a step waits a whole minute unless asked for.
    await cluster.client.patch(ref, 'merge', { spec: { analysis: { interval: '60s' } } });
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(async () => (await canary()).status?.phase === 'Progressing', 'no release', 30_000);

    // The run's first step (weight 20) comes on the next tick; a promote asks for the step after it at once.
    const weight = async () => (await canary()).status?.canaryWeight ?? 0;
    await annotate({ 'flagger.app/promote': 'step' });
    await eventually(async () => (await weight()) >= 20, 'the first step did not run', 20_000);
    await eventually(
      async () => (await canary()).metadata.annotations?.['flagger.app/promote'] === undefined,
      'the one-shot annotation stayed',
    );
    // The tick that took the annotation may still be writing its step (the next interval is a minute away):
    // only then does the weight say whether the request made the first step or the one after it.
    await new Promise(resolve => setTimeout(resolve, 2_000));
    const before = await weight();
    if (before === 20) {
      await eventually(
        async () => (await canary()).metadata.annotations?.['flagger.app/promote'] === undefined,
        'the one-shot annotation stayed',
      );
      await annotate({ 'flagger.app/promote': 'step' });
    }
    await eventually(async () => (await weight()) === 40, 'the step did not run now', 20_000);
    await eventually(
      async () => (await canary()).metadata.annotations?.['flagger.app/promote'] === undefined,
      'the one-shot annotation stayed',
    );
    assert.ok(
      (await canaryEvents(cluster, ns)).includes(
        `Next step of podinfo.${ns} requested by flagger.app/promote`,
      ),
    );

    await annotate({ 'flagger.app/pause': 'true', 'flagger.app/promote': 'step' });
    await eventually(
      async () =>
        (await canaryEvents(cluster, ns)).includes('skipping canary run as flagger.app/pause is set'),
      'pause not reported',
      20_000,
    );
    await new Promise(resolve => setTimeout(resolve, 3_000));
    assert.equal(await weight(), 40, 'a paused canary does not move');

    await annotate({ 'flagger.app/pause': null, 'flagger.app/abort': 'true' });
    await eventually(async () => (await canary()).status?.phase === 'Failed', 'abort not acted on', 20_000);
    const events = await canaryEvents(cluster, ns);
    assert.ok(
      events.includes(`Rolling back podinfo.${ns} abort requested by flagger.app/abort`),
      events.join('\n'),
    );
    assert.equal((await canary()).metadata.annotations?.['flagger.app/abort'], undefined);
  });
});
