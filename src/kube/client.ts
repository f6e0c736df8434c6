// The one client of the API server. Authentication and TLS come from the official client's KubeConfig (tokens,
// client certificates, exec plugins, in-cluster service accounts); requests are plain REST calls so that every
// kind, built-in or custom, gets the same verbs, including the status subresource and server-side apply.
import type { HttpMethod, KubeConfig } from '@kubernetes/client-node';
import { RequestContext } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { fetch, type Dispatcher, type Response } from 'undici';
import { readBody } from '../util/http.ts';
import { errorFromResponse, isConflict, isNotFound, transportError, type StatusBody } from './errors.ts';
import { TokenBucket, type RateLimit } from './rate-limiter.ts';
import { ResourceResolver, type ResourceInfo } from './resources.ts';
import { currentReadScope } from './read-scope.ts';
import { openWatchStream } from './watch-stream.ts';
import type { KubeObject, ObjectList, ObjectRef } from './types.ts';

/** How a patch body is interpreted by the API server. */
export type PatchType = 'merge' | 'json' | 'strategic';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** How another HTTP client reaches the API server with this client's identity. */
export interface ClusterConnection {
  /** The API server URL, e.g. https://10.96.0.1:443. */
  server: string;
  /** The bearer token, when the identity is one (a service account's, an exec plugin's). */
  token?: string;
  /** Carries the cluster's CA and client certificates, if any. */
  dispatcher?: Dispatcher;
}

export interface KubeClientOptions {
  /** Recorded as the manager of the fields this client writes. */
  fieldManager?: string;
  /** Per-request timeout (watches have their own inactivity timeout). */
  requestTimeoutMs?: number;
  /** Client-side limit of requests and watch starts (Flagger's -kubeconfig-qps/-kubeconfig-burst); none when unset. */
  rateLimit?: RateLimit;
  /**
   * How long the API server keeps a watch open (randomized up to twice as long, as client-go does, so that
   * watches do not all restart together). A watch silent for longer than that plus a margin is dead (a dropped
   * path that never closed the connection) and ends with a TimeoutError, so its owner starts a new one.
   */
  watchTimeoutSeconds?: number;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Objects as metadata only (PartialObjectMetadata): enough to notice a change, without keeping the data of
   * every ConfigMap and Secret in memory.
   */
  metadataOnly?: boolean;
}

export interface WatchOptions extends ListOptions {
  resourceVersion: string;
}

/** One watch event as the API server sends it. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  what: string;
  /** An answer that is a list page, whose size grows with the cluster: not bounded by MAX_OBJECT_BYTES. */
  list?: true;
}

/** A running watch; abort() ends it and its done callback receives no error. */
export interface WatchHandle {
  abort(): void;
}

/** The typed verbs every other layer uses to read and write Kubernetes objects. */
export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly fieldManager: string;
  private readonly timeoutMs: number;
  private readonly resources: ResourceResolver;
  private readonly listeners: ((method: string, code: number) => void)[] = [];
  private readonly limiter: TokenBucket | undefined;
  private readonly watchTimeoutSeconds: number;
  private dispatcher: Dispatcher | undefined;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    this.kubeConfig = kubeConfig;
    this.fieldManager = options.fieldManager ?? 'flagger';
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.limiter = options.rateLimit && new TokenBucket(options.rateLimit);
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 60;
    this.resources = new ResourceResolver((path, what) => this.request<unknown>('GET', path, { what }));
  }

  /** The API server's URL. */
  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

  /**
   * The URL, token and TLS settings of this client, for code that must speak HTTP to the API server itself (the
   * external metrics provider, whose template may name another address). Read again for each use: tokens rotate.
   */
  async connection(): Promise<ClusterConnection> {
    const { headers, dispatcher } = await this.authenticate(this.server, 'GET');
    const bearer = /^Bearer (.+)$/i.exec(headers.Authorization ?? '')?.[1];
    return {
      server: this.server,
      ...(bearer !== undefined && { token: bearer }),
      ...(dispatcher !== undefined && { dispatcher }),
    };
  }

  /** Tells `listener` the method and status code of every request (0 when no answer came), e.g. for metrics. */
  onResponse(listener: (method: string, code: number) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Reads one object; throws a NotFound KubeApiError when it does not exist. In a read scope (read-scope.ts), an
   * object the scope already read or wrote is not asked for again.
   */
  async get<T extends KubeObject>(ref: ObjectRef): Promise<T> {
    const scope = currentReadScope();
    const remembered = scope?.recall(this.server, ref);
    if (remembered) return structuredClone(await remembered) as T;
    const read = this.objectPath(ref, ref.name).then(path =>
      this.request<T>('GET', path, { what: `get ${describe(ref)}` }),
    );
    return this.stored(ref, read);
  }

  /** Reads one object, or undefined when it does not exist. */
  async tryGet<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.get<T>(ref);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Lists the objects of one kind, following continue tokens. */
  async list<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<ObjectList<T>> {
    const path = await this.collectionPath(apiVersion, kind, options.namespace);
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page: { items?: T[]; metadata?: { resourceVersion?: string; continue?: string } } =
        await this.request('GET', path, {
          query: {
            labelSelector: options.labelSelector,
            fieldSelector: options.fieldSelector,
            limit: '500',
            continue: cont,
          },
          accept: accept(options.metadataOnly, 'PartialObjectMetadataList'),
          what: `list ${kind}`,
          list: true,
        });
      for (const item of page.items ?? []) items.push({ apiVersion, kind, ...item });
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  /** Creates an object; throws AlreadyExists when the name is taken. */
  async create<T extends KubeObject>(obj: T): Promise<T> {
    const ref = refOf(obj);
    const path = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    const created = this.request<T>('POST', path, {
      body: obj,
      query: { fieldManager: this.fieldManager },
      what: `create ${describe(ref)}`,
    });
    return this.stored(ref, created);
  }

  /**
   * Sends a review the API server answers and never stores (TokenReview, SubjectAccessReview): without a name or
   * a field manager, which such reviews refuse.
   */
  async review<T extends KubeObject>(review: T): Promise<T> {
    const kind = review.kind ?? '';
    const path = await this.collectionPath(review.apiVersion ?? '', kind);
    return this.request<T>('POST', path, { body: review, what: `create ${kind}` });
  }

  /** Replaces an object (optimistic concurrency through metadata.resourceVersion). */
  async update<T extends KubeObject>(obj: T): Promise<T> {
    const ref = refOf(obj);
    const updated = this.request<T>('PUT', await this.objectPath(ref, ref.name), {
      body: obj,
      query: { fieldManager: this.fieldManager },
      what: `update ${describe(ref)}`,
    });
    return this.stored(ref, updated);
  }

  /** Replaces an object's status through the status subresource. */
  async updateStatus<T extends KubeObject>(obj: T): Promise<T> {
    const ref = refOf(obj);
    const updated = this.request<T>('PUT', `${await this.objectPath(ref, ref.name)}/status`, {
      body: obj,
      query: { fieldManager: this.fieldManager },
      what: `update status of ${describe(ref)}`,
    });
    return this.stored(ref, updated);
  }

  /** Patches an object, or its status when subresource is 'status'. */
  async patch<T extends KubeObject>(
    ref: ObjectRef,
    type: PatchType,
    patch: unknown,
    subresource?: 'status',
  ): Promise<T> {
    const base = await this.objectPath(ref, ref.name);
    const patched = this.request<T>('PATCH', subresource ? `${base}/${subresource}` : base, {
      body: patch,
      contentType: patchContentTypes[type],
      query: { fieldManager: this.fieldManager },
      what: `patch ${describe(ref)}`,
    });
    return this.stored(ref, patched);
  }

  /** Server-side apply: this client becomes the manager of every field in obj. */
  async apply<T extends KubeObject>(obj: T, options: { force?: boolean } = {}): Promise<T> {
    const ref = refOf(obj);
    const applied = this.request<T>('PATCH', await this.objectPath(ref, ref.name), {
      body: obj,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: this.fieldManager, force: options.force ? 'true' : undefined },
      what: `apply ${describe(ref)}`,
    });
    return this.stored(ref, applied);
  }

  /** Deletes an object; returns false when it was already gone. */
  async delete(
    ref: ObjectRef,
    options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; gracePeriodSeconds?: number } = {},
  ): Promise<boolean> {
    currentReadScope()?.forget(this.server, ref);
    try {
      await this.request('DELETE', await this.objectPath(ref, ref.name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options },
        what: `delete ${describe(ref)}`,
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Reads an object, applies mutate and writes it back; on a conflict it reads again and retries, so a
   * concurrent writer never makes the change fail or overwrites theirs. mutate returns false to skip the write.
   * In a read scope the first attempt starts from the scope's copy: a stale one costs a conflict, not a GET each time.
   */
  async modify<T extends KubeObject>(
    ref: ObjectRef,
    mutate: (obj: T) => boolean | undefined | Promise<boolean | undefined>,
    options: { status?: boolean; attempts?: number } = {},
  ): Promise<T> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const current = await this.get<T>(ref);
      if ((await mutate(current)) === false) return current;
      try {
        return await (options.status ? this.updateStatus(current) : this.update(current));
      } catch (err) {
        if (!isConflict(err) || attempt >= attempts) throw err;
        currentReadScope()?.forget(this.server, ref);
      }
    }
  }

  /** Starts a watch from resourceVersion; events and the end of the stream are delivered to the callbacks. */
  async watch<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const path = await this.collectionPath(apiVersion, kind, options.namespace);
    const timeoutSeconds = Math.round(this.watchTimeoutSeconds * (1 + Math.random()));
    const url = this.url(path, {
      watch: 'true',
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
    const { headers, dispatcher } = await this.authenticate(url.toString(), 'GET');
    await this.limiter?.take();
    const abort = await openWatchStream(
      {
        url,
        headers: { ...headers, Accept: accept(options.metadataOnly, 'PartialObjectMetadata') },
        dispatcher,
        // The server ends the watch after timeoutSeconds; silence well past that means the connection is gone.
        silenceLimitMs: (timeoutSeconds + Math.max(1, Math.min(15, timeoutSeconds / 2))) * 1000,
        what: `watch ${kind}`,
      },
      {
        onEvent: (type, object) => onEvent({ type: type as WatchEvent<T>['type'], object: object as T }),
        onDone,
      },
    );
    return { abort };
  }

  /** The API server's version, e.g. { major: '1', minor: '20', gitVersion: 'v1.20.2' }. */
  async serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    return this.request('GET', '/version', { what: 'get server version' });
  }

  /** True when the API server answers /readyz with success. */
  async isReady(): Promise<boolean> {
    try {
      await this.request('GET', '/readyz', { what: 'readiness check' });
      return true;
    } catch {
      return false;
    }
  }

  /** Looks up a kind's REST resource (plural name, scope) through discovery. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    return this.resources.resolve(apiVersion, kind);
  }

  private async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const info = await this.resources.resolve(apiVersion, kind);
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (!info.namespaced || !namespace) return `${root}/${info.plural}`;
    return `${root}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`;
  }

  private async objectPath(ref: ObjectRef, name: string): Promise<string> {
    const info = await this.resources.resolve(ref.apiVersion, ref.kind);
    if (info.namespaced && !ref.namespace) throw new Error(`${describe(ref)} needs a namespace`);
    const collection = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    return `${collection}/${encodeURIComponent(name)}`;
  }

  /** In a read scope, what the server answers for ref is what later reads of it get (a copy each). */
  private stored<T extends KubeObject>(ref: ObjectRef, answer: Promise<T>): Promise<T> {
    currentReadScope()?.remember(this.server, ref, answer);
    return answer;
  }

  private url(path: string, query: Record<string, string | undefined> = {}): URL {
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
  private async authenticate(
    url: string,
    method: HttpMethod,
  ): Promise<{ headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    const ctx = new RequestContext(url, method);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    this.dispatcher ??= ctx.getDispatcher();
    return { headers: ctx.getHeaders(), dispatcher: this.dispatcher };
  }

  private async request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = this.url(path, options.query);
    const auth = await this.authenticate(url.toString(), method as HttpMethod);
    await this.limiter?.take();
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

/** The Accept header of a list or watch: full objects, or their metadata only (meta.k8s.io/v1). */
function accept(
  metadataOnly: boolean | undefined,
  as: 'PartialObjectMetadata' | 'PartialObjectMetadataList',
): string {
  return metadataOnly === true
    ? `application/json;as=${as};g=meta.k8s.io;v=v1,application/json`
    : 'application/json';
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

function refOf(obj: KubeObject): ObjectRef {
  const { apiVersion, kind } = obj;
  const name = obj.metadata?.name;
  if (!apiVersion || !kind || !name) throw new Error('an object needs apiVersion, kind and metadata.name');
  return { apiVersion, kind, name, namespace: obj.metadata?.namespace };
}

function describe(ref: { kind: string; name: string; namespace?: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
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
