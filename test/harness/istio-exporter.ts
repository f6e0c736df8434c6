// A fake Istio sidecar metrics endpoint for a real Prometheus to scrape: istio_requests_total counters and
// istio_request_duration_milliseconds histograms (reporter="destination") of workloads whose traffic a test sets.
// Counters grow linearly with time, so rate() over any window gives the configured success rate, and every
// request of a workload falls in one latency bucket, so histogram_quantile gives expectedP99(latencyMs).
import { createServer, type Server } from 'node:http';

/** Bucket upper bounds in ms; the odd ones keep quantiles away from whole milliseconds. */
export const LATENCY_BUCKETS_MS = [5, 10, 50, 100, 250, 530, 1000, 1530, 5000] as const;

export interface Traffic {
  /** Requests per second; 0 keeps the series but makes every rate 0 (so ratios are NaN). */
  rps: number;
  /** Percentage of non-5xx responses. */
  successRate: number;
  /** Latency of every request. */
  latencyMs: number;
}

interface Workload extends Traffic {
  namespace: string;
  name: string;
  since: number;
}

export class IstioExporter {
  private readonly server: Server;
  private readonly workloads = new Map<string, Workload>();
  port = 0;

  private constructor() {
    this.server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(this.exposition());
    });
  }

  static async start(): Promise<IstioExporter> {
    const exporter = new IstioExporter();
    await new Promise<void>(resolve => exporter.server.listen(0, '127.0.0.1', resolve));
    const address = exporter.server.address();
    exporter.port = typeof address === 'object' && address ? address.port : 0;
    return exporter;
  }

  /** Host and port, as a Prometheus scrape target. */
  get target(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts serving this traffic for the workload (use a fresh workload name per scenario). */
  setTraffic(namespace: string, name: string, traffic: Traffic): void {
    this.workloads.set(`${namespace}/${name}`, { namespace, name, ...traffic, since: Date.now() });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private exposition(): string {
    const lines = [
      '# TYPE istio_requests_total counter',
      '# TYPE istio_request_duration_milliseconds histogram',
    ];
    for (const workload of this.workloads.values()) lines.push(...series(workload, Date.now()));
    return `${lines.join('\n')}\n`;
  }
}

function series(workload: Workload, now: number): string[] {
  const total = (workload.rps * (now - workload.since)) / 1000;
  const good = (total * workload.successRate) / 100;
  const labels = (reporter: string, code: string) =>
    `reporter="${reporter}",destination_workload_namespace="${workload.namespace}",` +
    `destination_workload="${workload.name}",response_code="${code}"`;
  const destination = labels('destination', '200');
  const lines = [
    `istio_requests_total{${destination}} ${good}`,
    `istio_requests_total{${labels('destination', '503')}} ${total - good}`,
    // What the client's sidecar reports must not count: all failures, ten times the traffic.
    `istio_requests_total{${labels('source', '503')}} ${total * 10}`,
  ];
  for (const le of LATENCY_BUCKETS_MS) {
    const count = workload.latencyMs <= le ? total : 0;
    lines.push(`istio_request_duration_milliseconds_bucket{${destination},le="${le}"} ${count}`);
  }
  lines.push(
    `istio_request_duration_milliseconds_bucket{${destination},le="+Inf"} ${total}`,
    `istio_request_duration_milliseconds_sum{${destination}} ${total * workload.latencyMs}`,
    `istio_request_duration_milliseconds_count{${destination}} ${total}`,
  );
  return lines;
}

/**
 * What histogram_quantile(0.99, ...) returns when every request takes latencyMs: Prometheus interpolates
 * linearly inside the bucket (from 0 for the first one) and answers the last finite bound for the +Inf bucket.
 */
export function expectedP99(latencyMs: number): number {
  const index = LATENCY_BUCKETS_MS.findIndex(le => latencyMs <= le);
  if (index === -1) return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1] ?? 0;
  const upper = LATENCY_BUCKETS_MS[index] ?? 0;
  const lower = index === 0 ? 0 : (LATENCY_BUCKETS_MS[index - 1] ?? 0);
  return lower + (upper - lower) * 0.99;
}
