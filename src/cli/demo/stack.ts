// Everything the demo runs, started in order with a progress line per part and stopped in reverse order: the
// local control plane and fake kubelet, our CRDs and Istio's, the simulated data plane, a real Prometheus
// scraping it, the load tester, and the controller with provider istio.
import type { KubeClient } from '../../kube/client.ts';
import { createLogger, silentLogger } from '../../logging/logger.ts';
import { MemoryGateStore } from '../../loadtester/gate-store.ts';
import { LoadTesterServer } from '../../loadtester/server.ts';
import { buildCrds } from '../../api/crds.ts';
import { onPath } from '../../playground/binaries.ts';
import { ControlPlane } from '../../playground/control-plane.ts';
import { DataPlane } from '../../playground/data-plane.ts';
import { FakeKubelet } from '../../playground/fake-kubelet.ts';
import { installCrds } from '../../playground/install-crds.ts';
import { istioCrds } from '../../playground/istio-crds.ts';
import { MeshRoutes } from '../../playground/mesh-routes.ts';
import { PrometheusServer } from '../../playground/prometheus.ts';
import type { Palette } from '../commands/table.ts';
import { ControllerRuntime, optionsFromFlags } from '../controller-runtime.ts';
import { parseFlags } from '../flags.ts';
import { APP, NAMESPACE, loadTestCommand } from './manifests.ts';
import { CanaryProgress, narrator, type Out } from './progress.ts';

export interface Stack {
  plane: ControlPlane;
  kube: KubeClient;
  dataPlane: DataPlane;
  prometheus: PrometheusServer;
  loadTesterUrl: string;
  progress: CanaryProgress;
  /** Has the load tester run the load test on the data plane from now on, as a user's traffic would. */
  startTraffic(): void;
  stop(): Promise<void>;
}

/** How often the demo asks the load tester for traffic; it runs one hey at a time, so this only fills gaps. */
const TRAFFIC_CHECK_MS = 3_000;

export async function startStack(out: Out, colors: Palette): Promise<Stack> {
  if (onPath('hey') === undefined)
    throw new Error('hey (the load generator) not found on the PATH: run `npm run setup:control-plane`');
  const stops: (() => Promise<void> | void)[] = [];
  // Every part is stopped, newest first, even when one fails to (the rest must not outlive the demo).
  const stop = async () => {
    let failure: Error | undefined;
    for (const part of stops.splice(0).reverse()) {
      try {
        await part();
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
    if (failure !== undefined) throw failure;
  };
  const step = async <T>(label: string, run: () => Promise<T>, done: (result: T) => string) => {
    out(`${colors.cyan('▸')} ${label}...`);
    const started = Date.now();
    const result = await run();
    out(
      `  ${colors.green('✓')} ${done(result)} ${colors.dim(`(${((Date.now() - started) / 1000).toFixed(1)}s)`)}`,
    );
    return result;
  };
  const quiet = createLogger({ level: 'warn' });
  try {
    const plane = await step(
      'Starting a local Kubernetes v1.20 control plane (etcd, kube-apiserver, kube-controller-manager)',
      async () => {
        const started = await ControlPlane.start();
        stops.push(() => started.stop());
        const kubelet = new FakeKubelet(started.client({ fieldManager: 'fake-kubelet' }), { logger: quiet });
        stops.push(() => kubelet.stop());
        await kubelet.start();
        return started;
      },
      started => `API server on ${started.server}, one fake node running the pods`,
    );
    const kube = plane.client();
    await step(
      "Installing the Canary, MetricTemplate and AlertProvider CRDs and Istio's networking CRDs",
      () => installCrds(kube, [...buildCrds(), ...istioCrds()]),
      () => 'CRDs established',
    );
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    const { dataPlane, prometheus } = await step(
      `Starting the data plane (the mesh ingress of ${APP}) and Prometheus`,
      async () => {
        const routes = new MeshRoutes(kube, { namespace: NAMESPACE, virtualService: APP, logger: quiet });
        stops.push(() => routes.stop());
        await routes.start();
        const served = await DataPlane.start({ namespace: NAMESPACE, routes: () => routes.routes() });
        stops.push(() => served.stop());
        const scraper = await PrometheusServer.start([served.target]);
        stops.push(() => scraper.stop());
        return { dataPlane: served, prometheus: scraper };
      },
      started =>
        `data plane on ${started.dataPlane.url} (routes by the ${APP} VirtualService), ` +
        `Prometheus on ${started.prometheus.url} scraping it every second`,
    );
    const loadTester = await step(
      'Starting the load tester and the controller (-mesh-provider=istio)',
      async () => {
        const tester = await LoadTesterServer.start({
          port: 0,
          host: '127.0.0.1',
          timeoutMs: 120_000,
          gates: new MemoryGateStore(),
          logger: silentLogger(),
        });
        stops.push(() => tester.stop());
        const flags = parseFlags(['-mesh-provider=istio', `-metrics-server=${prometheus.url}`], {});
        const runtime = await ControllerRuntime.start({
          ...optionsFromFlags(flags, kube, narrator(out, colors)),
          // Flagger's analysis runs at most every 10s; the demo's runs every 5s.
          minAnalysisIntervalMs: 1_000,
        });
        stops.push(() => runtime.stop());
        return tester;
      },
      tester => `load tester on http://127.0.0.1:${tester.port}/, controller watching every namespace`,
    );
    const loadTesterUrl = `http://127.0.0.1:${loadTester.port}/`;
    const progress = new CanaryProgress(kube, {
      namespace: NAMESPACE,
      name: APP,
      out,
      colors,
      traffic: () => ({ stats: dataPlane.recent(), seconds: dataPlane.telemetry.windowSeconds }),
      logger: quiet,
    });
    stops.push(() => progress.stop());
    await progress.start();
    const startTraffic = () => {
      const timer = setInterval(() => void requestLoad(loadTesterUrl, dataPlane.url), TRAFFIC_CHECK_MS);
      stops.push(() => clearInterval(timer));
      void requestLoad(loadTesterUrl, dataPlane.url);
    };
    return { plane, kube, dataPlane, prometheus, loadTesterUrl, progress, startTraffic, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The payload the canary's load-test webhook sends: the load tester runs one hey per canary and command. */
async function requestLoad(loadTesterUrl: string, dataPlaneUrl: string): Promise<void> {
  const payload = {
    name: APP,
    namespace: NAMESPACE,
    phase: 'Progressing',
    metadata: { type: 'cmd', cmd: loadTestCommand(dataPlaneUrl) },
  };
  // A failed call is retried at the next check; the load tester is stopping if it does not answer.
  await fetch(loadTesterUrl, { method: 'POST', body: JSON.stringify(payload) }).catch(() => undefined);
}
