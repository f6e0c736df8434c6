// The controller's HTTP endpoints (Flagger's pkg/server): /healthz, /readyz and /metrics in the Prometheus
// text format, with Flagger's timeouts (read 5s, idle 15s).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HttpServerOptions {
  port: number;
  registry: Registry;
  /** Whether the controller is ready (its caches are synced). */
  ready: () => boolean;
}

export async function startHttpServer(options: HttpServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || (path === '/readyz' && options.ready())) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK');
      return;
    }
    if (path === '/readyz') {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('not ready');
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        body => res.writeHead(200, { 'Content-Type': options.registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    res.writeHead(404).end();
  });
  server.requestTimeout = 5_000;
  server.keepAliveTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, resolve);
  });
  return server;
}
