// The one client of the API server. Authentication and TLS come from the official client's KubeConfig (tokens,
// client certificates, exec plugins, in-cluster service accounts); requests are plain REST calls so that every
// kind, built-in or custom, gets the same verbs, including the status subresource and server-side apply.
import type { KubeConfig } from '@kubernetes/client-node';
import { isConflict, isNotFound } from './errors.ts';
import { ResourceResolver, type ResourceInfo } from './resources.ts';
import { currentReadScope } from './read-scope.ts';
import { ApiTransport } from './transport.ts';
import { openWatchStream } from './watch-stream.ts';
import type { KubeObject, ObjectList, ObjectRef } from './types.ts';
import type {
  ClusterConnection,
  KubeClientOptions,
  ListOptions,
  WatchEvent,
  WatchHandle,
  WatchOptions,
} from './client-types.ts';

export type {
  ClusterConnection,
  KubeClientOptions,
  ListOptions,
  WatchEvent,
  WatchHandle,
  WatchOptions,
} from './client-types.ts';

/** How a patch body is interpreted by the API server. */
export type PatchType = 'merge' | 'json' | 'strategic';

const patchContentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** The typed verbs every other layer uses to read and write Kubernetes objects. */
export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly fieldManager: string;
  private readonly transport: ApiTransport;
  private readonly resources: ResourceResolver;
  private readonly watchTimeoutSeconds: number;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    this.kubeConfig = kubeConfig;
    this.fieldManager = options.fieldManager ?? 'flagger';
    this.transport = new ApiTransport(kubeConfig, {
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      rateLimit: options.rateLimit,
    });
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 60;
    this.resources = new ResourceResolver((path, what) =>
      this.transport.request<unknown>('GET', path, { what }),
    );
  }

  /** The API server's URL. */
  get server(): string {
    return this.transport.server;
  }

  /**
   * The URL, token and TLS settings of this client, for code that must speak HTTP to the API server itself (the
   * external metrics provider, whose template may name another address). Read again for each use: tokens rotate.
   */
  async connection(): Promise<ClusterConnection> {
    const { headers, dispatcher } = await this.transport.authenticate(this.server, 'GET');
    const bearer = /^Bearer (.+)$/i.exec(headers.Authorization ?? '')?.[1];
    return {
      server: this.server,
      ...(bearer !== undefined && { token: bearer }),
      ...(dispatcher !== undefined && { dispatcher }),
    };
  }

  /** Tells `listener` the method and status code of every request (0 when no answer came), e.g. for metrics. */
  onResponse(listener: (method: string, code: number) => void): void {
    this.transport.onResponse(listener);
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
      this.transport.request<T>('GET', path, { what: `get ${describe(ref)}` }),
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
        await this.transport.request('GET', path, {
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
    const created = this.transport.request<T>('POST', path, {
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
    return this.transport.request<T>('POST', path, { body: review, what: `create ${kind}` });
  }

  /** Replaces an object (optimistic concurrency through metadata.resourceVersion). */
  async update<T extends KubeObject>(obj: T): Promise<T> {
    const ref = refOf(obj);
    const updated = this.transport.request<T>('PUT', await this.objectPath(ref, ref.name), {
      body: obj,
      query: { fieldManager: this.fieldManager },
      what: `update ${describe(ref)}`,
    });
    return this.stored(ref, updated);
  }

  /** Replaces an object's status through the status subresource. */
  async updateStatus<T extends KubeObject>(obj: T): Promise<T> {
    const ref = refOf(obj);
    const updated = this.transport.request<T>('PUT', `${await this.objectPath(ref, ref.name)}/status`, {
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
    const patched = this.transport.request<T>('PATCH', subresource ? `${base}/${subresource}` : base, {
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
    const applied = this.transport.request<T>('PATCH', await this.objectPath(ref, ref.name), {
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
      await this.transport.request('DELETE', await this.objectPath(ref, ref.name), {
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
    const url = this.transport.url(path, {
      watch: 'true',
      resourceVersion: options.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeoutSeconds),
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
    });
    const { headers, dispatcher } = await this.transport.authenticate(url.toString(), 'GET');
    await this.transport.take();
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
    return this.transport.request('GET', '/version', { what: 'get server version' });
  }

  /** True when the API server answers /readyz with success. */
  async isReady(): Promise<boolean> {
    try {
      await this.transport.request('GET', '/readyz', { what: 'readiness check' });
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

function refOf(obj: KubeObject): ObjectRef {
  const { apiVersion, kind } = obj;
  const name = obj.metadata?.name;
  if (!apiVersion || !kind || !name) throw new Error('an object needs apiVersion, kind and metadata.name');
  return { apiVersion, kind, name, namespace: obj.metadata?.namespace };
}

function describe(ref: { kind: string; name: string; namespace?: string }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
