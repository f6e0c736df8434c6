// How one request reaches the API server: the credentials read for each request, the client's one connection pool,
// the client-side rate limit, retries the server asks for, the request timeout and a bounded answer. The typed
// verbs on top of it are KubeClient's (client.ts).
import type { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import { RequestContext } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { fetch, type Dispatcher, type Response } from 'undici';
import { readBody } from '../util/http.ts';
import { errorFromResponse, transportError, type StatusBody } from './errors.ts';
import { TokenBucket, type RateLimit } from './rate-limiter.ts';

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  what: string;
  /** An answer that is a list page, whose size grows with the cluster: not bounded by MAX_OBJECT_BYTES. */
  list?: true;
}

export class ApiTransport {
  private readonly kubeConfig: KubeConfig;
  private readonly timeoutMs: number;
  private readonly listeners: ((method: string, code: number) => void)[] = [];
  private readonly limiter: TokenBucket | undefined;
  private dispatcher: Dispatcher | undefined;

  constructor(kubeConfig: KubeConfig, options: { timeoutMs: number; rateLimit?: RateLimit | undefined }) {
    this.kubeConfig = kubeConfig;
    this.timeoutMs = options.timeoutMs;
    this.limiter = options.rateLimit && new TokenBucket(options.rateLimit);
  }

  /** The API server's URL. */
  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

  /** Tells `listener` the method and status code of every request (0 when no answer came). */
  onResponse(listener: (method: string, code: number) => void): void {
    this.listeners.push(listener);
  }

  /** Waits for the rate limit's next token (watches take one too). */
  async take(): Promise<void> {
    await this.limiter?.take();
  }

  url(path: string, query: Record<string, string | undefined> = {}): URL {
    const url = new URL(this.server.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    return url;
  }

  /**
   * The credentials of one request, read again each time (tokens rotate, exec plugins refresh), and the one
   * connection pool of this client. The official client builds a new pool for every request: a TLS handshake per
   * request, and a kept-alive connection each (a thousand at once under load, and their memory).
   * Like client-go's cached transport, the pool keeps the TLS settings it was made with.
   */
  async authenticate(
    url: string,
    method: HttpMethod,
  ): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    const ctx = new RequestContext(url, method);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    this.dispatcher ??= ctx.getDispatcher();
    return { headers: ctx.getHeaders(), dispatcher: this.dispatcher };
  }

  async request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = this.url(path, options.query);
    const auth = await this.authenticate(url.toString(), method as HttpMethod);
    await this.take();
    const headers: Record<string, string> = {
      ...auth.headers,
      Accept: options.accept ?? 'application/json',
    };
    if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    const send = () =>
      fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        dispatcher: auth.dispatcher,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    let response;
    try {
      response = await this.sendWithRetries(send, method);
    } catch (err) {
      for (const listener of this.listeners) listener(method, 0);
      throw transportError(err, options.what);
    }
    for (const listener of this.listeners) listener(method, response.status);
    const text = await readBody(response, options.list ? Infinity : MAX_OBJECT_BYTES).catch(
      (err: unknown) => {
        throw transportError(err, options.what);
      },
    );
    const parsed = parseBody(text);
    if (!response.ok)
      throw errorFromResponse(response.status, parsed as StatusBody | undefined, options.what);
    return parsed as T;
  }

  /**
   * As client-go: a request the server asks to retry later (429, or a 5xx with Retry-After) was not carried out,
   * whatever its verb; it is sent again after the given delay, a few times.
   */
  private async sendWithRetries(send: () => Promise<Response>, method: string): Promise<Response> {
    let response = await send();
    for (let retry = 1; retry < MAX_ATTEMPTS; retry++) {
      const delayMs = retryAfterMs(response);
      if (delayMs === undefined) break;
      for (const listener of this.listeners) listener(method, response.status);
      await response.body?.cancel();
      await sleep(delayMs);
      await this.limiter?.take();
      response = await send();
    }
    return response;
  }
}

/** Attempts of one request the server asks to retry later. */
const MAX_ATTEMPTS = 5;

/**
 * Most bytes of an answer that is one object (or a discovery document). The API server takes at most 3 MiB of
 * JSON per write, so a stored object is a few MiB at most; a server streaming without end is cut off here instead
 * of filling memory until the request times out.
 */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

/** How long the server asks to wait before a retry (capped at 10s), or undefined when it asks for none. */
function retryAfterMs(response: {
  status: number;
  headers: { get(name: string): string | null };
}): number | undefined {
  const header = response.headers.get('retry-after');
  if (response.status !== 429 && !(response.status >= 500 && header !== null)) return undefined;
  const seconds = Number(header ?? '1');
  return Math.min(10, Number.isFinite(seconds) && seconds >= 0 ? seconds : 1) * 1000;
}

/** JSON bodies are parsed; anything else (e.g. "ok" from /readyz) is returned as text. */
function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
