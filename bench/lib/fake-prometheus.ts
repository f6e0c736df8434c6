// A stand-in Prometheus on 127.0.0.1 that answers every instant query with a one-sample vector and counts the
// queries it was sent, by query text: how the metrics benchmark sees the load the controller puts on it. The
// answer is the same number for every query unless a benchmark sets `answer`, e.g. to fail one canary's metric.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakePrometheus {
  /** Queries received, by query text. */
  readonly queries = new Map<string, number>();
  /** The value of the one sample answered to a query; may be replaced at any time. */
  answer: (query: string) => number;
  private readonly server: Server;
  private address = '';

  private constructor(value: number) {
    this.answer = () => value;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Starts the server; every query answers `value` until `answer` is replaced. */
  static async start(value = 100): Promise<FakePrometheus> {
    const prometheus = new FakePrometheus(value);
    await new Promise<void>(resolve => prometheus.server.listen(0, '127.0.0.1', resolve));
    const { port } = prometheus.server.address() as AddressInfo;
    prometheus.address = `http://127.0.0.1:${port}`;
    return prometheus;
  }

  get url(): string {
    return this.address;
  }

  /** Queries received so far, in total. */
  get count(): number {
    let n = 0;
    for (const c of this.queries.values()) n += c;
    return n;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v1/query') {
      res.writeHead(404).end();
      return;
    }
    const query = url.searchParams.get('query') ?? '';
    this.queries.set(query, (this.queries.get(query) ?? 0) + 1);
    const sample = { metric: {}, value: [Date.now() / 1000, String(this.answer(query))] };
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [sample] } }));
  }
}
