// The controller's composition root: builds every plugin from the flags and starts the controller. The CLI,
// the demo and the integration tests all start the controller through here.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary } from '../api/canary.ts';
import { API_VERSION } from '../api/crds.ts';
import type { MetricTemplate } from '../api/metric-template.ts';
import { Controller } from '../controller/controller.ts';
import { checkServedCrds } from '../controller/crd-check.ts';
import type { PrometheusTelemetry } from '../controller/telemetry.ts';
import type { KubeClient } from '../kube/client.ts';
import { EventRecorder } from '../kube/events.ts';
import { Informer } from '../kube/informer.ts';
import { namespacedKey, type Secret } from '../kube/types.ts';
import type { Logger } from '../logging/logger.ts';
import { metricProviderProblems } from '../metrics/availability.ts';
import { QueryCoalescer } from '../metrics/coalesce.ts';
import { checkMetric, prometheusIdentity } from '../metrics/check.ts';
import { verifyMetricQueries } from '../metrics/verify.ts';
import { inBackground, NotifierAlerter } from '../notifiers/alerter.ts';
import { globalNotifier, type GlobalNotifierOptions } from '../notifiers/global.ts';
import { PrometheusProvider } from '../metrics/providers/prometheus.ts';
import { createRouter } from '../routers/registry.ts';
import { KubernetesServiceRouter } from '../routers/service-router.ts';
import type { ServiceRouter } from '../routers/types.ts';
import { dryRun } from '../scheduler/dry-run.ts';
import { CanaryRecorder, type EventSink } from '../scheduler/recorder.ts';
import { StatusWriter } from '../scheduler/status-writer.ts';
import type { SchedulerDeps } from '../scheduler/types.ts';
import { latestCreatedRevision } from '../targets/knative.ts';
import { createScaler, createTarget } from '../targets/registry.ts';
import type { TargetOptions } from '../targets/types.ts';
import { DeliveryQueue } from '../webhooks/delivery-queue.ts';
import { eventHooks, postEvent } from '../webhooks/event-webhook.ts';
import type { HookCaller } from '../webhooks/run.ts';
import { withSecretTokens } from '../webhooks/secret-token.ts';
import { listFlag, type Flags } from './flags.ts';

export interface RuntimeOptions {
  kube: KubeClient;
  /** Client of the cluster with the mesh objects (-kubeconfig-service-mesh); the main one by default. */
  meshKube?: KubeClient;
  logger: Logger;
  namespace?: string;
  meshProvider: string;
  metricsServer: string;
  eventWebhook?: string;
  targets: TargetOptions;
  ingressClass: string;
  ingressAnnotationsPrefix: string;
  noCrossNamespaceRefs: boolean;
  workers: number;
  minAnalysisIntervalMs?: number;
  /** -idle-resync-interval (extension). */
  idleResyncMs?: number;
  relistIntervalMs?: number;
  /** --dry-run (extension): analyse and log every decision, change nothing. */
  dryRun?: boolean;
  /** The -slack-* and -msteams-* flags: the notifier of canaries without analysis.alerts. */
  notifier?: GlobalNotifierOptions;
  /** -cluster-name: the Cluster field of alerts. */
  clusterName?: string;
  /** The series served on /metrics; none when the controller runs without the HTTP server. */
  telemetry?: PrometheusTelemetry;
}

/** The runtime options that Flagger's flags describe (the binary, the demo and the tests all start from them). */
export function optionsFromFlags(flags: Flags, kube: KubeClient, logger: Logger): RuntimeOptions {
  return {
    kube,
    logger,
    namespace: flags.namespace || undefined,
    meshProvider: flags['mesh-provider'],
    metricsServer: flags['metrics-server'],
    eventWebhook: flags['event-webhook'] || undefined,
    targets: {
      selectorLabels: listFlag(flags['selector-labels']),
      includeLabelPrefix: listFlag(flags['include-label-prefix']),
      enableConfigTracking: flags['enable-config-tracking'],
    },
    ingressClass: flags['ingress-class'],
    ingressAnnotationsPrefix: flags['ingress-annotations-prefix'],
    noCrossNamespaceRefs: flags['no-cross-namespace-refs'],
    workers: flags.threadiness,
    dryRun: flags['dry-run'],
    notifier: flags,
    clusterName: flags['cluster-name'],
  };
}

/** A Service target has no primary workload of ours behind generated Services: Flagger's no-op router. */
const noServices: ServiceRouter = {
  initialize: () => Promise.resolve(),
  reconcile: () => Promise.resolve(),
  finalize: () => Promise.resolve(),
};

export class ControllerRuntime {
  readonly controller: Controller;
  private readonly templates: Informer<MetricTemplate>;

  private readonly deliveries: DeliveryQueue;

  private constructor(
    controller: Controller,
    templates: Informer<MetricTemplate>,
    deliveries: DeliveryQueue,
  ) {
    this.controller = controller;
    this.templates = templates;
    this.deliveries = deliveries;
  }

  static async start(options: RuntimeOptions): Promise<ControllerRuntime> {
    const { kube, logger } = options;
    const templates = new Informer<MetricTemplate>(kube, {
      apiVersion: API_VERSION,
      kind: 'MetricTemplate',
      namespace: options.namespace,
      logger,
    });
    templates.start();
    await templates.synced;
    options.telemetry?.watchInformer('MetricTemplate', templates.stats);
    const deliveries = new DeliveryQueue({
      onProblem: (canary, problem) => logger.error({ canary }, problem),
    });
    // A Role (-namespace mode) cannot grant reading CRDs, which are cluster-scoped: they are not checked then.
    const droppedFields = options.namespace === undefined ? await checkServedCrds(kube, logger) : undefined;
    const real = schedulerDeps(options, templates, deliveries);
    const deps = options.dryRun === true ? dryRun(real, logger) : real;
    const controller = new Controller(
      deps,
      {
        namespace: options.namespace,
        workers: options.workers,
        noCrossNamespaceRefs: options.noCrossNamespaceRefs,
        minAnalysisIntervalMs: options.minAnalysisIntervalMs,
        idleResyncMs: options.idleResyncMs,
        relistIntervalMs: options.relistIntervalMs,
        trackConfigs: options.targets.enableConfigTracking,
        droppedFields,
        telemetry: options.telemetry,
      },
      logger,
    );
    await controller.start();
    return new ControllerRuntime(controller, templates, deliveries);
  }

  async stop(): Promise<void> {
    this.templates.stop();
    await this.controller.stop();
    // Events already recorded still reach their webhooks, unless a receiver holds the shutdown up.
    await Promise.race([this.deliveries.drained(), sleep(EVENT_DRAIN_MS)]);
  }
}

/** How long a shutdown waits for queued event webhooks. */
const EVENT_DRAIN_MS = 5_000;

function schedulerDeps(
  options: RuntimeOptions,
  templates: Informer<MetricTemplate>,
  deliveries: DeliveryQueue,
): SchedulerDeps {
  const { kube, logger } = options;
  const meshKube = options.meshKube ?? kube;
  const coalescer = new QueryCoalescer();
  const prometheus = coalescer.wrap(
    new PrometheusProvider({ address: options.metricsServer }),
    prometheusIdentity(options.metricsServer),
  );
  const targetDeps = { kube, logger, options: options.targets };
  const services = new KubernetesServiceRouter({ kube, logger });
  const secrets = {
    get: (namespace: string, name: string) =>
      kube.get<Secret>({ apiVersion: 'v1', kind: 'Secret', name, namespace }),
  };
  const callHook = withSecretTokens(secrets);
  const metricContext = {
    prometheus,
    coalescer,
    meshProvider: options.meshProvider,
    cluster: kube,
    onWarning: (message: string) => logger.warn(message),
    knativeRevision: (canary: Canary) => latestCreatedRevision(kube, canary),
    templates: { get: (namespace: string, name: string) => templates.get(namespacedKey(namespace, name)) },
    secrets,
  };
  const global = options.notifier === undefined ? undefined : globalNotifier(options.notifier);
  if (global?.error !== undefined) logger.error(`Notifier ${global.error.message}`);
  else if (global?.provider !== undefined) logger.info(`Notifications enabled for ${global.provider}`);
  return {
    kube,
    status: new StatusWriter(kube),
    recorder: new CanaryRecorder({
      events: new EventRecorder(kube, logger),
      logger,
      alerter: inBackground(
        new NotifierAlerter({ kube, global: global?.notifier, clusterName: options.clusterName, logger }),
        deliveries,
      ),
      eventSink: eventSink(options.eventWebhook, deliveries, callHook),
    }),
    meshProvider: options.meshProvider,
    telemetry: options.telemetry,
    target: canary => createTarget(canary, targetDeps),
    scaler: canary => createScaler(canary, targetDeps),
    services: canary => (canary.spec.targetRef.kind === 'Service' ? noServices : services),
    router: (provider, metadata) =>
      createRouter(provider, {
        kube: meshKube,
        logger,
        labelKey: metadata.labelKey,
        setOwnerRefs: meshKube.server === kube.server,
        ingressClass: options.ingressClass,
        ingressAnnotationsPrefix: options.ingressAnnotationsPrefix,
        includeLabelPrefix: options.targets.includeLabelPrefix,
      }),
    callHook,
    checkMetric: (canary, metric) => checkMetric(canary, metric, metricContext),
    metricProviderProblems: canary => metricProviderProblems(canary, metricContext),
    verifyMetricQueries: canary => verifyMetricQueries(canary, metricContext),
  };
}

/**
 * Every recorded event goes to the canary's event hooks, else to -event-webhook, as in Flagger; in the
 * background and in order per canary, so that a slow receiver never delays the analysis.
 */
function eventSink(globalUrl: string | undefined, deliveries: DeliveryQueue, call: HookCaller): EventSink {
  return (canary, eventType, message) => {
    const at = Date.now();
    const phase = canary.status?.phase ?? '';
    const key = `${canary.metadata.namespace ?? ''}/${canary.metadata.name ?? ''}`;
    for (const hook of eventHooks(canary.spec.analysis, globalUrl ?? '')) {
      deliveries.push(key, async () => {
        const result = await postEvent(hook, canary, phase, { type: eventType, message, at }, call);
        if (!result.ok) throw new Error(`event webhook ${hook.name} failed: ${result.message}`);
      });
    }
    return Promise.resolve();
  };
}
