// A webhook receiver on 127.0.0.1 for end-to-end tests: records every call and answers each path with the
// status the test sets (200 unless told otherwise).
import { createServer, type Server } from 'node:http';

export interface HookCall {
  path: string;
  body: {
    name?: string;
    namespace?: string;
    phase?: string;
    checksum?: string;
    metadata?: Record<string, string>;
  };
}

export class HookServer {
  readonly calls: HookCall[] = [];
  private readonly statuses = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly server: Server;
  url = '';

  private constructor() {
    this.server = createServer((req, res) => {
      let data = '';
      req.on('data', (chunk: Buffer) => (data += chunk.toString()));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.calls.push({ path, body: data ? (JSON.parse(data) as HookCall['body']) : {} });
        const failuresLeft = this.failures.get(path) ?? 0;
        if (failuresLeft > 0) this.failures.set(path, failuresLeft - 1);
        const status = failuresLeft > 0 ? 500 : (this.statuses.get(path) ?? 200);
        res.writeHead(status).end(status < 300 ? 'ok' : `${path} is closed`);
      });
    });
  }

  static async start(): Promise<HookServer> {
    const hooks = new HookServer();
    await new Promise<void>(resolve => hooks.server.listen(0, '127.0.0.1', resolve));
    const address = hooks.server.address();
    hooks.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return hooks;
  }

  /** Makes `path` answer with `status` from now on. */
  answer(path: string, status: number): void {
    this.statuses.set(path, status);
  }

  /** Makes the next `times` calls to `path` fail with 500. */
  failNext(path: string, times: number): void {
    this.failures.set(path, times);
  }

  callsTo(path: string): HookCall[] {
    return this.calls.filter(c => c.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}
