// A stand-in Prometheus on 127.0.0.1 that answers every instant query with the same one-sample vector and counts
// the queries it was sent, by query text: how the metrics benchmark sees the load the controller puts on it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakePrometheus {
  readonly url: string;
  /** Queries received, by query text. */
  readonly queries: Map<string, number>;
  private readonly server: Server;

  private constructor(server: Server, url: string, queries: Map<string, number>) {
    this.server = server;
    this.url = url;
    this.queries = queries;
  }

  /** Starts the server; every query answers `value`. */
  static async start(value = 100): Promise<FakePrometheus> {
    const queries = new Map<string, number>();
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/api/v1/query') {
        res.writeHead(404).end();
        return;
      }
      const query = url.searchParams.get('query') ?? '';
      queries.set(query, (queries.get(query) ?? 0) + 1);
      const sample = { metric: {}, value: [Date.now() / 1000, String(value)] };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [sample] } }));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new FakePrometheus(server, `http://127.0.0.1:${port}`, queries);
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
}
