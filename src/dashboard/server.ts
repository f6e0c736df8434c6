// The dashboard's HTTP server: the page (static files), a JSON API for the views, server-sent events that tell
// open pages about changes, and the actions. Every request is checked by Access; actions also need the
// dashboard's own request header and a same-origin Origin, which a cross-site form or script cannot send.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ControlVerb } from '../cli/commands/control.ts';
import type { KubeClient } from '../kube/client.ts';
import { KubeApiError } from '../kube/errors.ts';
import { Access, canaryAccess, type AuthMode, type Viewer } from './access.ts';
import { CanaryViews, CONTROL_VERBS } from './canary-view.ts';
import { fleetRows, type FleetRow } from './fleet.ts';
import { CanaryFeed } from './live.ts';

export interface DashboardOptions {
  client: KubeClient;
  auth: AuthMode;
  readOnly: boolean;
  meshProvider: string;
  logger: Logger;
}

/** The header the page sends with every action: a cross-site request cannot set it without a CORS preflight. */
export const ACTION_HEADER = 'x-flagger-dashboard';

const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
/** Host names the local dashboard answers to. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
/** A comment line keeps idle event streams open through proxies. */
const KEEPALIVE_MS = 25_000;

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class Dashboard {
  private readonly options: DashboardOptions;
  private readonly access: Access;
  private readonly feed: CanaryFeed;
  private readonly views: CanaryViews;
  private readonly server: Server;

  constructor(options: DashboardOptions) {
    this.options = options;
    this.access = new Access(options.client, options.auth);
    this.feed = new CanaryFeed(options.client, options.logger);
    this.views = new CanaryViews(options.client, this.access, options.logger, options.meshProvider);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts watching and listening; resolves with the page's URL. */
  async listen(port: number, host: string): Promise<string> {
    await this.feed.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, resolve);
    });
    const address = this.server.address() as AddressInfo;
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${shown}:${address.port}/`;
  }

  async close(): Promise<void> {
    this.feed.stop();
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // A page of another site that rebinds its name to 127.0.0.1 is same-origin with itself, not with us.
      if (
        this.options.auth === 'local' &&
        !LOOPBACK_NAMES.has(new URL(`http://${req.headers.host ?? ''}`).hostname)
      ) {
        throw new HttpError(421, 'the local dashboard answers to localhost or 127.0.0.1 only');
      }
      const url = new URL(req.url ?? '/', 'http://dashboard');
      const file = req.method === 'GET' ? STATIC[url.pathname] : undefined;
      if (file !== undefined) {
        await this.serveStatic(res, file);
        return;
      }
      if (!url.pathname.startsWith('/api/')) throw new HttpError(404, 'not found');
      const viewer = await this.access.viewer(req);
      if (viewer === undefined) throw new HttpError(401, 'a Kubernetes bearer token is required');
      await this.route(req, res, url, viewer);
    } catch (err) {
      this.fail(res, err);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, viewer: Viewer): Promise<void> {
    const path = url.pathname;
    if (req.method === 'GET' && path === '/api/config') {
      json(res, 200, {
        readOnly: this.options.readOnly,
        auth: this.options.auth,
        user: viewer.user?.username ?? this.options.client.kubeConfig.getCurrentUser()?.name ?? '',
      });
    } else if (req.method === 'GET' && path === '/api/fleet') {
      json(res, 200, await this.fleet(viewer));
    } else if (req.method === 'GET' && path === '/api/stream') {
      this.stream(req, res, viewer);
    } else {
      const match = /^\/api\/canaries\/([^/]+)\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
      if (match?.[1] === undefined || match[2] === undefined) throw new HttpError(404, 'not found');
      const target = { namespace: decodeURIComponent(match[1]), name: decodeURIComponent(match[2]) };
      await this.routeCanary(req, res, viewer, {
        ...target,
        verb: match[3],
        full: url.searchParams.has('full'),
      });
    }
  }

  /** GET the canary's view, or POST one of its actions. */
  private async routeCanary(
    req: IncomingMessage,
    res: ServerResponse,
    viewer: Viewer,
    { namespace, name, verb, full }: { namespace: string; name: string; verb?: string; full: boolean },
  ): Promise<void> {
    if (!(await this.access.may(viewer, canaryAccess('get', namespace, name)))) {
      throw new HttpError(403, `you may not read canary ${name} in namespace ${namespace}`);
    }
    const canary = this.feed.canary(namespace, name);
    if (canary === undefined) throw new HttpError(404, `canary ${name} not found in namespace ${namespace}`);
    if (req.method === 'GET' && verb === undefined) {
      json(res, 200, await this.views.view(viewer, canary, this.feed.weights(namespace, name)));
      return;
    }
    if (req.method !== 'POST' || !CONTROL_VERBS.includes(verb as ControlVerb)) {
      throw new HttpError(404, 'not found');
    }
    this.checkAction(req);
    if (!(await this.access.may(viewer, canaryAccess('patch', namespace, name)))) {
      throw new HttpError(403, `you may not change canary ${name} in namespace ${namespace}`);
    }
    json(res, 200, { notes: await this.views.act(viewer, canary, verb as ControlVerb, full) });
  }

  /** Actions exist unless --read-only, and only as same-origin requests from the page. */
  private checkAction(req: IncomingMessage): void {
    if (this.options.readOnly) throw new HttpError(403, 'the dashboard is read-only');
    if (req.headers[ACTION_HEADER] !== '1')
      throw new HttpError(403, `actions need the ${ACTION_HEADER} header`);
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      origin !== `http://${req.headers.host}` &&
      origin !== `https://${req.headers.host}`
    ) {
      throw new HttpError(403, 'cross-site actions are refused');
    }
  }

  /** The rows of the canaries in namespaces where the viewer may list canaries. */
  private async fleet(viewer: Viewer): Promise<FleetRow[]> {
    const canaries = this.feed.canaries();
    const namespaces = [...new Set(canaries.map(c => c.metadata.namespace ?? 'default'))];
    const allowed = new Set<string>();
    await Promise.all(
      namespaces.map(async ns => {
        if (await this.access.may(viewer, canaryAccess('list', ns))) allowed.add(ns);
      }),
    );
    return fleetRows(
      canaries.filter(c => allowed.has(c.metadata.namespace ?? 'default')),
      this.options.meshProvider,
    );
  }

  /** Server-sent events: the viewer's fleet now and after every change. */
  private stream(req: IncomingMessage, res: ServerResponse, viewer: Viewer): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream',
      Connection: 'keep-alive',
    });
    let sending = Promise.resolve();
    const send = () => {
      sending = sending
        .then(async () => {
          res.write(`event: fleet\ndata: ${JSON.stringify(await this.fleet(viewer))}\n\n`);
        })
        .catch((err: unknown) =>
          this.options.logger.warn({ err: (err as Error).message }, 'dashboard stream'),
        );
    };
    send();
    const unsubscribe = this.feed.subscribe(send);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
    req.on('close', () => {
      unsubscribe();
      clearInterval(keepalive);
    });
  }

  private async serveStatic(res: ServerResponse, file: string): Promise<void> {
    const body = await readFile(new URL(`./static/${file}`, import.meta.url));
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': TYPES[file.split('.').pop() ?? ''] ?? 'text/plain',
    });
    res.end(body);
  }

  private fail(res: ServerResponse, err: unknown): void {
    const status =
      err instanceof HttpError ? err.status : err instanceof KubeApiError && err.code > 0 ? err.code : 500;
    if (status >= 500) this.options.logger.error({ err: (err as Error).message }, 'dashboard request failed');
    if (res.headersSent) return void res.end();
    json(res, status, { error: (err as Error).message });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
