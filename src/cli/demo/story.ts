// The tutorial (Flagger – Canary deployments on Kubernetes), played on the demo's stack with podinfo:
// Experiment 0 initialises 6.0.0, Experiment 1 promotes the healthy 6.0.1 step by step, Experiment 2 rolls the
// faulty 6.0.2 back. Each experiment first says what is about to happen and why.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Deployment } from '../../kube/types.ts';
import { PrometheusProvider } from '../../metrics/providers/prometheus.ts';
import { waitFor } from '../../playground/process.ts';
import type { Palette } from '../commands/table.ts';
import {
  APP,
  CONTAINER,
  IMAGE,
  NAMESPACE,
  deploymentRef,
  loadTestCommand,
  podinfo,
  podinfoCanary,
  podinfoService,
} from './manifests.ts';
import type { Out } from './progress.ts';
import type { Stack } from './stack.ts';

export async function playStory(stack: Stack, out: Out, colors: Palette, signal: AbortSignal): Promise<void> {
  const say = (...lines: string[]) => {
    for (const line of lines) out(line === '' ? '' : `  ${line}`);
  };
  const heading = (title: string, ...why: string[]) => {
    out(`\n${colors.bold(title)}`);
    say(...why);
    out('');
  };

  out('');
  say(
    'What is simulated: no container runs; a kubelet stand-in marks the pods ready, and the answers to the',
    'traffic (errors, latencies) come from an Istio data plane scripted per image tag (6.0.2 is the faulty one).',
  );
  heading(
    'Experiment 0 – podinfo 6.0.0, the first version',
    `${APP} 6.0.0 is installed with its Service, as its chart would, and gets traffic: the load tester runs`,
    `\`${loadTestCommand(stack.dataPlane.url)}\` (about 20 requests/s) from now on, as the curl loop of`,
    'the tutorial. Without traffic, an analysis has no metrics and rolls back.',
  );
  await stack.kube.create(podinfo('6.0.0'));
  await stack.kube.create(podinfoService());
  stack.startTraffic();
  await trafficSeen(stack, APP, signal);
  say(`Prometheus sees the requests ${APP} 6.0.0 serves.`, '');
  say(
    `Now its Canary (provider istio). Flagger does not analyse the first version it sees: it copies ${APP}`,
    `to ${APP}-primary, points the ${APP} Service and a new VirtualService at it and scales ${APP} to zero.`,
    'So the first version must be one you trust.',
  );
  await stack.kube.create(podinfoCanary(stack.loadTesterUrl, stack.dataPlane.url));
  await stack.progress.until(c => c.status?.phase === 'Initialized', 'the initialisation', signal);

  heading(
    'Experiment 1 – podinfo 6.0.1, a healthy version',
    `Flagger shifts 10% more of the traffic to it every 5s up to 50%, checking at each step that 99% of its`,
    'requests succeed and their p99 stays under 500ms; then it copies it to the primary and routes all back there.',
  );
  await release(stack, out, signal, '6.0.1', 'Succeeded');

  heading(
    'Experiment 2 – podinfo 6.0.2, a faulty version',
    'About 45% of its requests fail with HTTP 500: each check halts the advancement, and after 5 failed',
    'checks Flagger routes all traffic back to the primary and scales the canary down. 6.0.1 stays.',
  );
  await release(stack, out, signal, '6.0.2', 'Failed');

  const kubectl = promisify(execFile);
  const { stdout } = await kubectl(stack.plane.binaries.kubectl, [
    `--kubeconfig=${stack.plane.kubeconfigPath}`,
    '-n',
    NAMESPACE,
    'get',
    'deployments,canaries',
    '-o',
    'wide',
  ]);
  out(`\n${colors.bold('Where it ends')} (kubectl -n ${NAMESPACE} get deployments,canaries -o wide)\n`);
  out(stdout.trimEnd());
}

/**
 * Waits until Prometheus has the workload's requests over a check's window: the controller verifies the
 * canary's queries once it is initialised, and they should answer.
 */
async function trafficSeen(stack: Stack, workload: string, signal: AbortSignal): Promise<void> {
  const prometheus = new PrometheusProvider({ address: stack.prometheus.url });
  const selector = `reporter="destination",destination_workload_namespace="${NAMESPACE}",destination_workload="${workload}"`;
  const query = `sum(rate(istio_requests_total{${selector}}[10s]))`;
  await waitFor(
    async () => {
      signal.throwIfAborted();
      return (await prometheus.runQuery(query).catch(() => 0)) > 0;
    },
    60_000,
    'Prometheus did not see the traffic of the load tester',
  );
}

/** Sets podinfo's image, as `kubectl set image` does, and waits for the analysis to end as expected. */
async function release(
  stack: Stack,
  out: Out,
  signal: AbortSignal,
  tag: string,
  expected: 'Succeeded' | 'Failed',
): Promise<void> {
  const image = `${IMAGE}:${tag}`;
  out(`  $ kubectl -n ${NAMESPACE} set image deployment/${APP} ${CONTAINER}=${image}`);
  await stack.kube.modify<Deployment>(deploymentRef, deployment => {
    const container = deployment.spec?.template.spec?.containers.find(c => c.name === CONTAINER);
    if (container === undefined) return false;
    container.image = image;
    return true;
  });
  await stack.progress.until(c => c.status?.phase === 'Progressing', `the analysis of ${tag}`, signal);
  const ended = await stack.progress.until(
    c => c.status?.phase === 'Succeeded' || c.status?.phase === 'Failed',
    `the end of the analysis of ${tag}`,
    signal,
  );
  if (ended.status?.phase !== expected) {
    throw new Error(
      `podinfo ${tag} ended ${ended.status?.phase ?? 'Unknown'} instead of ${expected}: see the events above`,
    );
  }
}
