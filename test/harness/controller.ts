// Starts the real controller in this process against a test cluster, with a real Prometheus scraping a fake
// Istio exporter for the built-in metrics, and keeps its JSON log lines for assertions.
import { jsonLogSink } from './json-log.ts';
import { after, before } from 'node:test';
import type { Canary } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import {
  ControllerRuntime,
  optionsFromFlags,
  type RuntimeOptions,
} from '../../src/cli/controller-runtime.ts';
import { parseFlags } from '../../src/cli/flags.ts';
import type { CoreEvent } from '../../src/kube/types.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { istioCrds } from '../../src/playground/istio-crds.ts';
import type { TestCluster } from './cluster.ts';
import { IstioExporter, type Traffic } from './istio-exporter.ts';
import { eventually } from './cluster.ts';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus.ts';
import { PrometheusServer } from '../../src/playground/prometheus.ts';

export interface TestController {
  runtime: ControllerRuntime;
  exporter: IstioExporter;
  prometheus: PrometheusServer;
  /** Every log line the controller wrote, parsed. */
  logs: Record<string, unknown>[];
  /** Stops the controller and starts a new one (to test a restart). */
  restart(): Promise<void>;
  /** Stops the controller, until start() (to change what it will find, as another controller would leave it). */
  stop(): Promise<void>;
  /** Starts a new controller after stop(). */
  start(): Promise<void>;
  /**
   * Serves this traffic for the workload and returns once the controller's Prometheus has scraped it twice,
   * so rate() answers: the controller checks metrics within a second of a change, quicker than two scrapes.
   */
  serveTraffic(namespace: string, workload: string, traffic: Traffic): Promise<void>;
}

/**
 * Starts CRDs, Prometheus, the exporter and the controller before the file's tests; stops them after. Options
 * given as a function are read when the controller starts (e.g. the URL of a receiver started before).
 */
export function useController(
  cluster: TestCluster,
  options: Partial<RuntimeOptions> | (() => Partial<RuntimeOptions>) = {},
): TestController {
  const handle = { logs: [] as Record<string, unknown>[] } as TestController;
  const start = async () => {
    const destination = jsonLogSink(handle.logs);
    const flags = parseFlags([`-metrics-server=${handle.prometheus.url}`], {});
    const logger = createLogger({ level: 'debug', destination });
    handle.runtime = await ControllerRuntime.start({
      ...optionsFromFlags(flags, cluster.plane.client(), logger),
      minAnalysisIntervalMs: 1_000,
      ...(typeof options === 'function' ? options() : options),
    });
  };
  handle.stop = () => handle.runtime.stop();
  handle.start = start;
  handle.restart = async () => {
    await handle.stop();
    await start();
  };
  handle.serveTraffic = async (namespace, workload, traffic) => {
    const since = Date.now() / 1000;
    handle.exporter.setTraffic(namespace, workload, traffic);
    const prometheus = new PrometheusProvider({ address: handle.prometheus.url });
    const series = `istio_requests_total{reporter="destination",destination_workload_namespace="${namespace}",destination_workload="${workload}",response_code="200"}`;
    // Two samples in the window, the last one taken after the traffic changed.
    const scraped = `count_over_time(${series}[1m]) >= 2 and timestamp(${series}) > ${since.toFixed(3)}`;
    await eventually(
      () =>
        prometheus.runQuery(scraped).then(
          () => true,
          () => false,
        ),
      `the traffic of ${namespace}/${workload} was not scraped`,
      30_000,
    );
  };
  before(async () => {
    await installCrds(cluster.client);
    await installCrds(cluster.client, istioCrds());
    handle.exporter = await IstioExporter.start();
    handle.prometheus = await PrometheusServer.start([handle.exporter.target]);
    await start();
  });
  after(async () => {
    await handle.runtime.stop();
    await handle.prometheus.stop();
    await handle.exporter.stop();
  });
  return handle;
}

/** Reads a canary. */
export async function getCanary(cluster: TestCluster, namespace: string, name = 'podinfo'): Promise<Canary> {
  return cluster.client.get<Canary>({ apiVersion: API_VERSION, kind: 'Canary', name, namespace });
}

/** The messages of the events recorded about the canary, oldest first. */
export async function canaryEvents(
  cluster: TestCluster,
  namespace: string,
  name = 'podinfo',
): Promise<string[]> {
  const events = await cluster.client.list<CoreEvent>('v1', 'Event', { namespace });
  return events.items
    .filter(e => e.involvedObject.kind === 'Canary' && e.involvedObject.name === name)
    .sort(
      (a, b) =>
        (a.firstTimestamp ?? '').localeCompare(b.firstTimestamp ?? '') ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    )
    .map(e => e.message ?? '');
}
