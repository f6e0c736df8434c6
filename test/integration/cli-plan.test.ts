// `flagger plan` predicts what the controller then does: the plan is taken before a release, the controller runs
// the release (Istio, real Prometheus, healthy traffic), and its "Advance" events must be the plan's steps.
// `flagger status --wait` follows each release to its end.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryAnalysis } from '../../src/api/canary.ts';
import type { Command, Io } from '../../src/cli/commands/common.ts';
import { runPlan } from '../../src/cli/commands/plan.ts';
import { runStatus } from '../../src/cli/commands/status.ts';
import type { Plan } from '../../src/cli/commands/timeline.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

const healthy = { rps: 10, successRate: 100, latencyMs: 50 };

describe('flagger plan agrees with the controller', () => {
  const cluster = useCluster();
  const flagger = useController(cluster);

  async function cli(
    command: Command,
    ...args: string[]
  ): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: Io = { out: { write: t => (out += t) }, err: { write: t => (err += t) }, env: {} };
    const code = await command([...args, `--kubeconfig=${cluster.plane.kubeconfigPath}`], io);
    return { code, out, err };
  }

  async function plan(namespace: string): Promise<Plan> {
    const { code, out, err } = await cli(
      runPlan,
      'podinfo',
      '-n',
      namespace,
      '-o',
      'json',
      '--min-analysis-interval=1s',
    );
    assert.equal(code, 0, err);
    return JSON.parse(out) as Plan;
  }

  /** Plans the canary, releases a new image and returns the plan and the controller's events. */
  async function release(
    analysis: Partial<CanaryAnalysis>,
  ): Promise<{ plan: Plan; events: string[]; ns: string }> {
    const ns = await cluster.namespace('plan');
    await flagger.serveTraffic(ns, 'podinfo', healthy);
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(podinfoCanary(ns, analysis));
    const phase = async () => (await getCanary(cluster, ns)).status?.phase;
    await eventually(async () => (await phase()) === 'Initialized', 'canary was not initialized', 60_000);
    const predicted = await plan(ns);
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    // status --wait does not take the promoted old revision for the new one: it waits for the release.
    const waited = await cli(runStatus, 'podinfo', '-n', ns, '--wait', '--timeout=120s');
    assert.equal(waited.code, 0, waited.out + waited.err);
    assert.match(waited.out, /Progressing, canary weight \d+ \(step 1 of \d\)/);
    assert.match(waited.out, /: the current revision is promoted/);
    assert.equal(await phase(), 'Succeeded');
    return { plan: predicted, events: await canaryEvents(cluster, ns), ns };
  }

  const advances = (events: string[]) =>
    events.filter(e => /^Advance podinfo\.\S+ canary (weight|iteration) /.test(e));

  /** The milestones of the release in order, as the plan names them and as the controller reported them. */
  function milestones(plan: Plan, events: string[]): { predicted: string[]; reported: string[] } {
    const predicted = plan.ticks.flatMap(t => t.event ?? []);
    return { predicted, reported: events.filter(e => predicted.includes(e)) };
  }

  /** The controller's events: the plan's weights step by step, as many steps, and its milestones in order. */
  function assertControllerFollowed(predicted: Plan, events: string[], ns: string): void {
    assert.deepEqual(
      advances(events),
      predicted.weights.map(w => `Advance podinfo.${ns} canary weight ${w}`),
      events.join('\n'),
    );
    assert.equal(advances(events).length, predicted.steps);
    const { predicted: expected, reported } = milestones(predicted, events);
    assert.deepEqual(reported, expected, events.join('\n'));
  }

  it('stepWeight 20, maxWeight 60: 20, 40, 60, then promotion', async () => {
    const { plan: predicted, events, ns } = await release({ stepWeight: 20, maxWeight: 60 });
    assert.deepEqual(predicted.weights, [20, 40, 60]);
    assert.equal(predicted.steps, 3);
    assertControllerFollowed(predicted, events, ns);
  });

  it('stepWeights [10, 30, 60]: the listed weights, then promotion', async () => {
    const {
      plan: predicted,
      events,
      ns,
    } = await release({
      stepWeight: undefined,
      maxWeight: undefined,
      stepWeights: [10, 30, 60],
    });
    assert.deepEqual(predicted.weights, [10, 30, 60]);
    assertControllerFollowed(predicted, events, ns);
  });
});
