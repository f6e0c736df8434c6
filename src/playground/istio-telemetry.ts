// What an Istio sidecar on the serving side reports about each request (telemetry v2, reporter="destination"):
// istio_requests_total and the istio_request_duration_milliseconds histogram, labelled with exactly what the
// builtin request-success-rate and request-duration queries select; plus a short in-memory window of the same
// requests per version, for the demo's progress lines.
import { Counter, Histogram, Registry } from 'prom-client';

/** Istio's default buckets for request durations, in milliseconds. */
const ISTIO_DURATION_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

const LABELS = [
  'reporter',
  'destination_workload',
  'destination_workload_namespace',
  'response_code',
] as const;

/** The response codes whose series exist before the first request, so rate() counts the first ones too. */
const DECLARED_CODES = ['200', '500'];

export interface Workload {
  namespace: string;
  name: string;
}

/** One version's requests in the recent window. */
export interface VersionStats {
  version: string;
  requests: number;
  /** Percentage of non-5xx answers. */
  successRate: number;
  p99Ms: number;
}

interface Sample {
  at: number;
  version: string;
  ok: boolean;
  ms: number;
}

export class IstioTelemetry {
  readonly registry = new Registry();
  private readonly requests: Counter<(typeof LABELS)[number]>;
  private readonly durations: Histogram<(typeof LABELS)[number]>;
  private readonly declared = new Set<string>();
  private readonly windowMs: number;
  private samples: Sample[] = [];

  constructor(windowMs = 10_000) {
    this.windowMs = windowMs;
    this.requests = new Counter({
      name: 'istio_requests_total',
      help: 'Requests served, as the destination sidecar reports them',
      labelNames: LABELS,
      registers: [this.registry],
    });
    this.durations = new Histogram({
      name: 'istio_request_duration_milliseconds',
      help: 'Request durations, as the destination sidecar reports them',
      labelNames: LABELS,
      buckets: ISTIO_DURATION_BUCKETS_MS,
      registers: [this.registry],
    });
  }

  /**
   * Creates the workload's series at zero. A series that first appears with a count of 1 loses that request
   * in rate(), and a canary's first check sees only a few seconds of traffic.
   */
  declare(workload: Workload): void {
    const key = `${workload.namespace}/${workload.name}`;
    if (this.declared.has(key)) return;
    this.declared.add(key);
    for (const code of DECLARED_CODES) {
      const labels = this.labels(workload, code);
      this.requests.inc(labels, 0);
      this.durations.zero(labels);
    }
  }

  record(workload: Workload, version: string, code: number, ms: number, at = Date.now()): void {
    this.declare(workload);
    const labels = this.labels(workload, String(code));
    this.requests.inc(labels);
    this.durations.observe(labels, ms);
    this.samples.push({ at, version, ok: code < 500, ms });
  }

  /** Per version, the requests of the last window, most requested first. */
  recent(now = Date.now()): VersionStats[] {
    this.samples = this.samples.filter(s => s.at > now - this.windowMs);
    const byVersion = new Map<string, Sample[]>();
    for (const sample of this.samples) {
      const list = byVersion.get(sample.version);
      if (list) list.push(sample);
      else byVersion.set(sample.version, [sample]);
    }
    return [...byVersion.entries()]
      .map(([version, samples]) => ({
        version,
        requests: samples.length,
        successRate: (samples.filter(s => s.ok).length / samples.length) * 100,
        p99Ms: p99(samples.map(s => s.ms)),
      }))
      .sort((a, b) => b.requests - a.requests || a.version.localeCompare(b.version));
  }

  /** The window's length, to say what the recent stats cover. */
  get windowSeconds(): number {
    return this.windowMs / 1000;
  }

  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  private labels(workload: Workload, code: string): Record<(typeof LABELS)[number], string> {
    return {
      reporter: 'destination',
      destination_workload: workload.name,
      destination_workload_namespace: workload.namespace,
      response_code: code,
    };
  }
}

/** The nearest-rank 99th percentile. */
function p99(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
}
