// `flagger demo [--exit]`: the canary tutorial on one machine. A local control plane with a fake kubelet, our
// CRDs and Istio's, a simulated data plane that turns the controller's routing weights into Istio metrics, a real
// Prometheus, the load tester and the controller; podinfo is initialised, a healthy release promoted step by
// step and a faulty one rolled back, with live progress. Then, without --exit, everything keeps running for
// the user to try the CLI and kubectl on, until Ctrl-C tears it all down.
import { dirname } from 'node:path';
import { colorsFor } from './commands/common.ts';
import type { Palette } from './commands/table.ts';
import { APP, CONTAINER, IMAGE, NAMESPACE } from './demo/manifests.ts';
import type { Out } from './demo/progress.ts';
import { startStack, type Stack } from './demo/stack.ts';
import { playStory } from './demo/story.ts';

export interface DemoOptions {
  /** Stop everything once the story is told (CI), instead of waiting for Ctrl-C. */
  exit: boolean;
  out: Out;
  /** Colour only on a terminal, by default. */
  colors?: Palette;
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const { out } = options;
  const colors = options.colors ?? colorsFor(process.stdout, process.env);
  const interrupt = new AbortController();
  const onSigint = () => {
    // A second Ctrl-C does not wait for the teardown; the control plane's processes are killed on exit.
    if (interrupt.signal.aborted) process.exit(130);
    out('\nCtrl-C: stopping everything...');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  let stack: Stack | undefined;
  try {
    stack = await startStack(out, colors);
    interrupt.signal.throwIfAborted();
    await playStory(stack, out, colors, interrupt.signal);
    if (options.exit) return;
    usage(stack, out, colors);
    await new Promise(resolve => interrupt.signal.addEventListener('abort', resolve, { once: true }));
  } catch (err) {
    // Ctrl-C is how the demo ends; anything else is a failure to report.
    if (!interrupt.signal.aborted) throw err;
  } finally {
    await stack?.stop();
    process.off('SIGINT', onSigint);
  }
}

function usage(stack: Stack, out: Out, colors: Palette): void {
  const command = (text: string, why: string) => out(`  ${text.padEnd(78)} ${colors.dim(`# ${why}`)}`);
  out(
    `\n${colors.bold('Your turn.')} Everything keeps running, traffic included, until Ctrl-C. In another terminal:`,
  );
  command(`export KUBECONFIG=${stack.plane.kubeconfigPath}`, 'the local cluster');
  command(`export PATH=${dirname(stack.plane.binaries.kubectl)}:$PATH`, 'its kubectl (v1.20.2)');
  command('npx flagger get -A -w', 'the canaries, live');
  command(`npx flagger describe ${APP} -n ${NAMESPACE}`, 'decision record, events, generated objects');
  command(
    `kubectl -n ${NAMESPACE} set image deployment/${APP} ${CONTAINER}=${IMAGE}:6.0.3`,
    'another release (6.0.2 is the faulty one)',
  );
  command(`kubectl -n ${NAMESPACE} get deployments,virtualservices,canaries`, 'what Flagger generated');
  command(`curl ${stack.dataPlane.url}`, 'the data plane: which version answers');
  command(`${stack.prometheus.url}/graph?g0.expr=istio_requests_total`, 'what the checks query');
}
