// The controller's Prometheus series: Flagger's (pkg/metrics/recorder.go: same names, labels and help texts) and
// our own health series about the controller itself, all in one registry that /metrics serves.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Canary } from '../api/canary.ts';
import type { InformerStats } from '../kube/informer.ts';
import type { CanaryTelemetry, Outcome } from '../scheduler/telemetry.ts';
import { VERSION } from '../version.ts';

const OUTCOME_LABELS = ['name', 'namespace', 'deployment_strategy', 'analysis_status'] as const;

export class PrometheusTelemetry implements CanaryTelemetry {
  readonly registry = new Registry();
  private readonly total: Gauge;
  private readonly status: Gauge;
  private readonly weight: Gauge;
  private readonly duration: Histogram;
  private readonly analysis: Gauge;
  private readonly successes: Counter;
  private readonly failures: Counter;
  private readonly apiRequests: Counter;
  private readonly informers = new Map<string, InformerStats>();
  private queueDepth: () => number = () => 0;

  constructor(meshProvider: string) {
    const registers = [this.registry];
    new Gauge({
      name: 'flagger_info',
      help: 'Flagger version and mesh provider information',
      labelNames: ['version', 'mesh_provider'],
      registers,
    }).set({ version: VERSION, mesh_provider: meshProvider }, 1);
    this.duration = new Histogram({
      name: 'flagger_canary_duration_seconds',
      help: 'Seconds spent performing canary analysis.',
      labelNames: ['name', 'namespace'],
      // Prometheus' default buckets, as Flagger's prometheus.DefBuckets.
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.total = new Gauge({
      name: 'flagger_canary_total',
      help: 'Total number of canary object',
      labelNames: ['namespace'],
      registers,
    });
    this.status = new Gauge({
      name: 'flagger_canary_status',
      help: 'Last canary analysis result',
      labelNames: ['name', 'namespace'],
      registers,
    });
    this.weight = new Gauge({
      name: 'flagger_canary_weight',
      help: 'The virtual service destination weight current value',
      labelNames: ['workload', 'namespace'],
      registers,
    });
    this.analysis = new Gauge({
      name: 'flagger_canary_metric_analysis',
      help: 'Last canary analysis result per metric',
      labelNames: ['name', 'namespace', 'metric'],
      registers,
    });
    this.successes = new Counter({
      name: 'flagger_canary_successes_total',
      help: 'Total number of canary successes',
      labelNames: OUTCOME_LABELS,
      registers,
    });
    this.failures = new Counter({
      name: 'flagger_canary_failures_total',
      help: 'Total number of canary failures',
      labelNames: OUTCOME_LABELS,
      registers,
    });
    // Our own: how the controller itself is doing.
    this.apiRequests = new Counter({
      name: 'flagger_controller_api_requests_total',
      help: 'Requests to the Kubernetes API server by verb and HTTP status code (0: no answer)',
      labelNames: ['verb', 'code'],
      registers,
    });
    const informers = this.informers;
    const informerSeries = (name: string, help: string, read: (s: InformerStats) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['kind'],
        registers,
        collect() {
          this.reset();
          for (const [kind, stats] of informers) this.inc({ kind }, read(stats));
        },
      });
    informerSeries(
      'flagger_controller_watches_total',
      'Watches started per kind (restarts included)',
      s => s.watches,
    );
    informerSeries(
      'flagger_controller_relists_total',
      'Full lists per kind (startup, 410 Gone, resync)',
      s => s.lists,
    );
    informerSeries(
      'flagger_controller_watch_errors_total',
      'Failed lists and watches per kind',
      s => s.errors,
    );
    const depth = () => this.queueDepth();
    new Gauge({
      name: 'flagger_controller_queue_depth',
      help: 'Canaries waiting in the work queue',
      registers,
      collect() {
        this.set(depth());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one API request (KubeClient's response listener). */
  countApiRequest(verb: string, code: number): void {
    this.apiRequests.inc({ verb, code: String(code) });
  }

  /** Reports an informer's counters under its kind. */
  watchInformer(kind: string, stats: InformerStats): void {
    this.informers.set(kind, stats);
  }

  watchQueue(depth: () => number): void {
    this.queueDepth = depth;
  }

  setTotal(namespace: string, count: number): void {
    this.total.set({ namespace }, count);
  }

  setStatus(canary: Canary): void {
    const phase = canary.status?.phase;
    // Flagger: 0 while progressing, 2 when failed, 1 for every other phase.
    const value = phase === 'Progressing' ? 0 : phase === 'Failed' ? 2 : 1;
    this.status.set(labels(canary), value);
  }

  setWeight(canary: Canary, primaryWeight: number, canaryWeight: number): void {
    const { name } = canary.spec.targetRef;
    const namespace = canary.metadata.namespace ?? '';
    this.weight.set({ workload: `${name}-primary`, namespace }, primaryWeight);
    this.weight.set({ workload: name, namespace }, canaryWeight);
  }

  setMetricValue(canary: Canary, metric: string, value: number): void {
    this.analysis.set({ ...labels(canary), metric }, value);
  }

  observeDuration(canary: Canary, seconds: number): void {
    this.duration.observe(labels(canary), seconds);
  }

  countOutcome(canary: Canary, outcome: Outcome): void {
    const counter = outcome.result === 'success' ? this.successes : this.failures;
    counter.inc({
      ...labels(canary),
      deployment_strategy: outcome.strategy,
      analysis_status: outcome.analysis,
    });
  }
}

/** Flagger labels canary series with the target's name, not the Canary's. */
function labels(canary: Canary): { name: string; namespace: string } {
  return { name: canary.spec.targetRef.name, namespace: canary.metadata.namespace ?? '' };
}
