// A simulated mesh ingress for one app, on 127.0.0.1: each request goes to a destination of the app's
// VirtualService in proportion to the weights the controller writes; the "pod" answers as its version behaves
// (an error rate and a latency per image tag), and the request is reported as Istio's destination sidecar
// would (istio-telemetry.ts), on /metrics for Prometheus. So the builtin Istio checks judge real traffic.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { IstioTelemetry, type VersionStats } from './istio-telemetry.ts';
import { pickRoute, type Route } from './mesh-routes.ts';

/** How a version answers: the share of HTTP 500s and the range its latencies are drawn from. */
export interface Behaviour {
  errorRate: number;
  latencyMs: readonly [min: number, max: number];
}

const HEALTHY: Behaviour = { errorRate: 0, latencyMs: [20, 40] };

/** The podinfo versions of the demo: 6.0.2 is the faulty release; any other tag is healthy. */
export const PODINFO_BEHAVIOURS: Readonly<Record<string, Behaviour>> = {
  '6.0.0': HEALTHY,
  '6.0.1': HEALTHY,
  '6.0.2': { errorRate: 0.45, latencyMs: [60, 120] },
};

export interface DataPlaneOptions {
  namespace: string;
  /** The current routes (MeshRoutes.routes in the demo). */
  routes: () => Route[];
  behaviours?: Readonly<Record<string, Behaviour>>;
  /** In [0, 1); Math.random by default, fixed in tests. */
  random?: () => number;
  /** How far back recent() looks. */
  windowMs?: number;
}

export class DataPlane {
  readonly telemetry: IstioTelemetry;
  private readonly server: Server;
  private readonly options: DataPlaneOptions;
  private readonly random: () => number;
  private port = 0;

  private constructor(options: DataPlaneOptions) {
    this.options = options;
    this.random = options.random ?? Math.random;
    this.telemetry = new IstioTelemetry(options.windowMs);
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((err: unknown) => {
        if (!response.headersSent) response.writeHead(500);
        response.end(String(err));
      });
    });
  }

  static async start(options: DataPlaneOptions): Promise<DataPlane> {
    const plane = new DataPlane(options);
    await new Promise<void>(resolve => plane.server.listen(0, '127.0.0.1', resolve));
    const address = plane.server.address();
    plane.port = typeof address === 'object' && address ? address.port : 0;
    return plane;
  }

  /** Where clients send requests. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Host and port, as a Prometheus scrape target (path /metrics). */
  get target(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Per version, what the data plane served lately. */
  recent(): VersionStats[] {
    return this.telemetry.recent();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.url === '/metrics') {
      const body = await this.telemetry.exposition();
      response.writeHead(200, { 'Content-Type': this.telemetry.registry.contentType }).end(body);
      return;
    }
    const { namespace } = this.options;
    const routes = this.options.routes();
    for (const route of routes) this.telemetry.declare({ namespace, name: route.workload });
    const route = pickRoute(routes, this.random());
    if (route === undefined || !route.ready) {
      // Envoy's answer when it has nowhere to send the request; no destination sidecar saw it.
      response.writeHead(503, { 'Content-Type': 'text/plain' }).end('no healthy upstream');
      return;
    }
    const behaviours = this.options.behaviours ?? PODINFO_BEHAVIOURS;
    const behaviour = behaviours[route.version] ?? HEALTHY;
    const [min, max] = behaviour.latencyMs;
    // What the pod takes, drawn from its behaviour, is what gets reported: a busy machine delaying this
    // process must not make a healthy version look slow.
    const latencyMs = min + (max - min) * this.random();
    const code = this.random() < behaviour.errorRate ? 500 : 200;
    await sleep(latencyMs);
    this.telemetry.record({ namespace, name: route.workload }, route.version, code, latencyMs);
    const message = code === 200 ? `greetings from podinfo v${route.version}` : 'internal server error';
    response
      .writeHead(code, { 'Content-Type': 'application/json' })
      .end(`${JSON.stringify({ hostname: route.workload, version: route.version, message })}\n`);
  }
}
