// kill -9 of the controller at random points of releases, restarted at once each time: the traffic steps seen on
// the VirtualService are those of an undisturbed release (none skipped, none taken twice, in order) and every
// release ends as it would have: promoted, or rolled back for a failing check. The kill times are drawn from
// CHAOS_SEED (a fresh seed each run, printed): the same seed replays the same waits between kills.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Informer } from '../../src/kube/informer.ts';
import type { Deployment, KubeObject } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { istioCrds } from '../../src/playground/istio-crds.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { getCanary } from '../harness/controller.ts';
import { HookServer } from '../harness/hook-server.ts';
import { seededRandom, testSeed } from '../harness/seeds.ts';
import { setImage } from '../harness/workloads.ts';
import { initializedPodinfo } from './steps.ts';

type VirtualService = KubeObject & { spec?: { http?: { route?: { weight?: number }[] }[] } };

const KILLS = 20;
const SEED = testSeed('CHAOS_SEED');
const bin = new URL('../../bin/flagger.js', import.meta.url).pathname;

describe('kill -9 of the controller during releases', () => {
  const cluster = useCluster();
  let hooks: HookServer;
  let controller: ChildProcess | undefined;
  let kills = 0;
  const random = seededRandom(SEED);

  const start = () => {
    controller = spawn(
      process.execPath,
      [
        bin,
        `-kubeconfig=${cluster.plane.kubeconfigPath}`,
        '-mesh-provider=istio',
        '-metrics-server=http://127.0.0.1:1',
        '-min-analysis-interval=1s',
        '-port=0',
        '-log-level=error',
      ],
      { stdio: 'ignore' },
    );
  };
  /** Kills the controller without warning and starts a new one. */
  const killAndRestart = async () => {
    const dying = controller;
    const exited = new Promise(resolve => dying?.once('exit', resolve));
    dying?.kill('SIGKILL');
    await exited;
    kills++;
    start();
  };

  before(async () => {
    await installCrds(cluster.client);
    await installCrds(cluster.client, istioCrds());
    hooks = await HookServer.start();
    start();
  });
  after(async () => {
    controller?.kill('SIGKILL');
    await hooks.stop();
  });

  /** The canary weights the VirtualService carries, in order, without repeats of the current value. */
  function recordWeights(namespace: string): { weights: number[]; stop: () => void } {
    const weights: number[] = [];
    const informer = new Informer<VirtualService>(cluster.client, {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      namespace,
      logger: silentLogger(),
    });
    const note = (vs: VirtualService) => {
      const weight = vs.spec?.http?.[0]?.route?.[1]?.weight ?? 0;
      if (weights.at(-1) !== weight) weights.push(weight);
    };
    informer.addHandlers({ onAdd: note, onUpdate: (_, vs) => note(vs) });
    informer.start();
    return { weights, stop: () => informer.stop() };
  }

  /** Runs one release, killing the controller at random moments until it ends; returns the final phase. */
  async function release(namespace: string, image: string, killsWanted: number): Promise<string> {
    await setImage(cluster.client, namespace, 'Deployment', image);
    // The previous release's phase stands until the controller has seen the new revision.
    await eventually(
      async () => (await getCanary(cluster, namespace)).status?.phase === 'Progressing',
      'the new revision was not detected',
      60_000,
    );
    for (let killed = 0; ;) {
      const phase = (await getCanary(cluster, namespace)).status?.phase ?? '';
      if (phase === 'Succeeded' || phase === 'Failed') return phase;
      if (killed < killsWanted) {
        await sleep(300 + random() * 1500);
        await killAndRestart();
        killed++;
      } else await sleep(200);
    }
  }

  it(`promotes and rolls back as undisturbed releases do, across ${String(KILLS)} kills`, async t => {
    t.diagnostic(`CHAOS_SEED=${String(SEED)}`);
    const ns = await cluster.namespace('kill');
    const analysis = {
      interval: '1s',
      stepWeight: 10,
      maxWeight: 50,
      threshold: 2,
      metrics: [],
      webhooks: [{ name: 'gate', url: `${hooks.url}/gate`, timeout: '5s' }],
    };
    await initializedPodinfo(cluster, ns, analysis);

    // The seed is in each message too: a diagnostic is not shown where only the failure is.
    const label = (round: number) => `round ${String(round)} (CHAOS_SEED=${String(SEED)})`;
    for (let round = 1; kills < KILLS; round++) {
      const failing = round % 3 === 0;
      hooks.answer('/gate', failing ? 500 : 200);
      const recorded = recordWeights(ns);
      const phase = await release(ns, `podinfo:6.0.${String(round)}`, 4);
      recorded.stop();
      const primary = await cluster.client.get<Deployment>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'podinfo-primary',
        namespace: ns,
      });
      const image = primary.spec?.template.spec?.containers[0]?.image;
      if (failing) {
        assert.equal(phase, 'Failed', label(round));
        assert.notEqual(image, `podinfo:6.0.${String(round)}`, label(round));
        // A failing gate halts at the first step: traffic may reach 10%, never further, then returns.
        assert.ok(
          recorded.weights.every(w => w <= 10),
          `${label(round)}: ${recorded.weights.join(' ')}`,
        );
      } else {
        assert.equal(phase, 'Succeeded', label(round));
        assert.equal(image, `podinfo:6.0.${String(round)}`, label(round));
        assert.deepEqual(
          recorded.weights.filter(w => w > 0),
          [10, 20, 30, 40, 50],
          label(round),
        );
      }
      assert.equal(recorded.weights.at(-1), 0, label(round));
    }
  });

  it('never analyses or promotes a canary left with no pods: it is scaled up again', async () => {
    const ns = await cluster.namespace('zero');
    const analysis = { interval: '1s', stepWeight: 10, maxWeight: 50, threshold: 2, metrics: [] };
    await initializedPodinfo(cluster, ns, analysis);
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 10,
      'the analysis did not start',
      60_000,
    );
    // The state a run cut short before its scale-up leaves: an analysis under way, a canary without pods.
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: ns };
    await cluster.client.patch(ref, 'merge', { spec: { replicas: 0 } });
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Succeeded',
      'the release did not succeed',
      120_000,
    );
    const primary = await cluster.client.get<Deployment>({ ...ref, name: 'podinfo-primary' });
    assert.equal(primary.spec?.template.spec?.containers[0]?.image, 'podinfo:6.0.1');
    assert.equal(primary.spec.replicas, 2);
  });
});
