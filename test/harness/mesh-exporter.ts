// A fake metrics endpoint serving the metric families every mesh or ingress exports (Istio, Linkerd, Envoy for
// App Mesh/Contour/Gloo/Kuma/Knative, NGINX, Skipper, Traefik, OSM, APISIX, and an application's own
// http_request_duration_seconds), with the names and labels the built-in queries select, for a real Prometheus to
// scrape. Traffic works as in istio-exporter.ts: counters grow linearly, every request falls in one latency bucket.
// Next to each canary workload's series the exporter serves a decoy's (the primary, the other direction, the
// client's report...), all failures and slow at ten times the traffic, which a query must not select.
import { createServer, type Server } from 'node:http';
import { LATENCY_BUCKETS_MS, type Traffic } from './istio-exporter.ts';
import { MESH_FAMILIES, type Labels, type MeshFamily, type Workload } from './mesh-families.ts';

export type { Workload } from './mesh-families.ts';
export type MeshName = keyof typeof MESH_FAMILIES;

const DECOY: Omit<Traffic, 'rps'> = { successRate: 0, latencyMs: 4000 };

interface Scenario {
  family: MeshFamily;
  workload: Workload;
  traffic: Traffic;
  since: number;
}

/** Samples of one metric family. */
interface Family {
  name: string;
  type: 'counter' | 'histogram';
  lines: string[];
}

export class MeshExporter {
  private readonly server: Server;
  private readonly scenarios = new Map<string, Scenario>();
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

  static async start(): Promise<MeshExporter> {
    const exporter = new MeshExporter();
    await new Promise<void>(resolve => exporter.server.listen(0, '127.0.0.1', resolve));
    const address = exporter.server.address();
    exporter.port = typeof address === 'object' && address ? address.port : 0;
    return exporter;
  }

  /** Host and port, as a Prometheus scrape target. */
  get target(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts serving this traffic for the workload, as the mesh reports it (a fresh workload per scenario). */
  setTraffic(mesh: MeshName, workload: Workload, traffic: Traffic): void {
    const key = `${mesh}/${workload.namespace}/${workload.target}`;
    this.scenarios.set(key, { family: MESH_FAMILIES[mesh], workload, traffic, since: Date.now() });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  /** The text format wants each family's samples together under one TYPE line. */
  private exposition(): string {
    const families = new Map<string, Family>();
    const now = Date.now();
    for (const scenario of this.scenarios.values()) {
      for (const { name, type, lines } of scenarioSamples(scenario, now)) {
        const family = families.get(name) ?? { name, type, lines: [] };
        family.lines.push(...lines);
        families.set(name, family);
      }
    }
    const text = [...families.values()].flatMap(({ name, type, lines }) => [
      `# TYPE ${name} ${type}`,
      ...lines,
    ]);
    return `${text.join('\n')}\n`;
  }
}

/** The samples of a scenario's workload and of its decoy, by metric family. */
function scenarioSamples({ family, workload, traffic, since }: Scenario, now: number): Family[] {
  const served = [
    [family.labels(workload), traffic],
    [family.decoy(workload), { ...DECOY, rps: traffic.rps * 10 }],
  ] as const;
  return served.flatMap(([labels, { rps, successRate, latencyMs }]) => {
    const total = (rps * (now - since)) / 1000;
    const good = (total * successRate) / 100;
    const outcomes = [
      [family.success, good],
      [family.failure, total - good],
    ] as const;
    return outcomes.flatMap(([outcome, count]): Family[] => {
      const all = { ...labels, ...outcome };
      const { requests, histograms } = family;
      return [
        ...(requests === undefined
          ? []
          : [{ name: requests, type: 'counter' as const, lines: [sample(requests, all, count)] }]),
        ...histograms.map(histogram => ({
          name: histogram.name,
          type: 'histogram' as const,
          lines: histogramLines(histogram, all, count, latencyMs),
        })),
      ];
    });
  });
}

function histogramLines(
  histogram: MeshFamily['histograms'][number],
  labels: Labels,
  count: number,
  latencyMs: number,
): string[] {
  const inUnit = (ms: number) => (histogram.unit === 's' ? ms / 1000 : ms);
  const { name } = histogram;
  return [
    ...LATENCY_BUCKETS_MS.map(le =>
      sample(`${name}_bucket`, { ...labels, le: String(inUnit(le)) }, latencyMs <= le ? count : 0),
    ),
    sample(`${name}_bucket`, { ...labels, le: '+Inf' }, count),
    sample(`${name}_sum`, labels, count * inUnit(latencyMs)),
    sample(`${name}_count`, labels, count),
  ];
}

function sample(name: string, labels: Labels, value: number): string {
  const text = Object.entries(labels)
    .map(([key, label]) => `${key}="${label}"`)
    .join(',');
  return `${name}{${text}} ${value}`;
}
