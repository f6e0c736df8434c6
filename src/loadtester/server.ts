// The load tester's HTTP API (Flagger's pkg/loadtester/server.go): /healthz, /metrics, the gates, and the task
// handler on every other path. start() listens; stop() stops accepting, ends background tasks, gives running
// blocking tasks a grace period, then aborts them. With -auth-token-file every path but /healthz and /metrics
// wants the bearer token.
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../logging/logger.ts';
import { NamespaceAuthorizer } from './authorizer.ts';
import { BearerTokenFile, requireBearerToken } from './bearer-token.ts';
import { gateHandlers, type Handler } from './gate-handlers.ts';
import type { GateStore } from './gate-store.ts';
import { Gates } from './gates.ts';
import { errorMessage } from './http-json.ts';
import { answer, reply } from './http-io.ts';
import { TaskLimits, type TaskLimitOptions } from './limits.ts';
import { TaskRunner } from './runner.ts';
import { taskHandler } from './task-handler.ts';

export interface LoadTesterOptions extends TaskLimitOptions {
  /** 0 picks a free port. */
  port: number;
  /** All interfaces by default, as Flagger listens on ":<port>". */
  host?: string;
  /** -timeout: the longest any task may run. */
  timeoutMs: number;
  /** -namespace-regexp; empty allows every namespace. */
  namespaceRegexp?: string;
  /** -auth-token-file (extension): tasks and gates want a bearer token from this file; open to all when absent. */
  authTokenFile?: string;
  gates: GateStore;
  logger: Logger;
  /** The environment of task processes (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** How long stop() lets running blocking tasks finish before aborting them. */
  shutdownGraceMs?: number;
}

// Flagger's server shutdown waits up to a minute, but Kubernetes kills a pod 30s after SIGTERM by default, which
// would orphan the commands still running; 20s leaves time to kill them and answer their callers.
const DEFAULT_SHUTDOWN_GRACE_MS = 20_000;

export class LoadTesterServer {
  readonly runner: TaskRunner;
  readonly limits: TaskLimits;
  private readonly server: Server;
  private readonly logger: Logger;
  private readonly graceMs: number;
  private readonly shutdown = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping: Promise<void> | undefined;

  private constructor(options: LoadTesterOptions, tokens: BearerTokenFile | undefined) {
    this.logger = options.logger;
    this.graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.runner = new TaskRunner(options.timeoutMs);
    this.limits = new TaskLimits(options);
    const authorizer = new NamespaceAuthorizer(options.namespaceRegexp ?? '');
    const registry = new Registry();
    // Flagger's load tester serves client_golang's default registry: the process and runtime metrics.
    collectDefaultMetrics({ register: registry });
    const guarded = (handler: Handler): Handler =>
      tokens === undefined ? handler : requireBearerToken(tokens, handler, this.logger);
    const gates = gateHandlers({ gates: new Gates(options.gates), authorizer, logger: this.logger });
    // /healthz and /metrics stay open: the kubelet's probes and Prometheus call them without credentials.
    const routes: Record<string, Handler> = {
      '/healthz': (_req, res) => answer(res, 200, 'OK'),
      '/metrics': async (_req, res) => {
        const body = await registry.metrics();
        res.writeHead(200, { 'Content-Type': registry.contentType }).end(body);
      },
      ...Object.fromEntries(Object.entries(gates).map(([path, handler]) => [path, guarded(handler)])),
    };
    const tasks = guarded(
      taskHandler({
        runner: this.runner,
        authorizer,
        limits: this.limits,
        logger: this.logger,
        env: options.env ?? process.env,
        timeoutMs: options.timeoutMs,
        shutdown: this.shutdown.signal,
      }),
    );
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const handler = (Object.hasOwn(routes, path) ? routes[path] : undefined) ?? tasks;
      const handled = handler(req, res).catch((err: unknown) => {
        this.logger.error(`${req.method ?? ''} ${path} failed: ${errorMessage(err)}`);
        reply(res, 500, errorMessage(err));
      });
      this.inFlight.add(handled);
      void handled.finally(() => this.inFlight.delete(handled));
    });
  }

  static async start(options: LoadTesterOptions): Promise<LoadTesterServer> {
    const tokens =
      options.authTokenFile === undefined || options.authTokenFile === ''
        ? undefined
        : await BearerTokenFile.open(options.authTokenFile, options.logger);
    const tester = new LoadTesterServer(options, tokens);
    await new Promise<void>((resolve, reject) => {
      tester.server.once('error', reject);
      tester.server.listen(options.port, options.host, () => {
        tester.server.off('error', reject);
        resolve();
      });
    });
    if (tokens !== undefined)
      options.logger.info(`Tasks and gates require a bearer token from ${tokens.path} (-auth-token-file)`);
    return tester;
  }

  /** The port listened on (the one chosen when started with 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** Stops the server; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const closed = new Promise<void>(resolve => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await this.runner.stop();
    if (this.inFlight.size > 0) {
      this.logger.info(`waiting up to ${this.graceMs}ms for ${this.inFlight.size} running requests`);
      await Promise.race([Promise.all(this.inFlight), sleep(this.graceMs, undefined, { ref: false })]);
    }
    this.shutdown.abort(new Error('the load tester is shutting down'));
    await Promise.all(this.inFlight);
    this.server.closeAllConnections();
    await closed;
    this.logger.info('HTTP server stopped');
  }
}
