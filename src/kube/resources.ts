// Kind → REST resource lookup through the API server's discovery documents, cached per group/version.
import { KubeApiError, isNotFound } from './errors.ts';

/** Where a kind lives in the REST API. */
export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

interface APIResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

type Fetch = (path: string, what: string) => Promise<unknown>;

/** Resolves kinds to resources; a miss refreshes the group/version once, since CRDs may have just been added. */
export class ResourceResolver {
  private readonly fetchJson: Fetch;
  private readonly cache = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(fetchJson: Fetch) {
    this.fetchJson = fetchJson;
  }

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const cached = await this.load(apiVersion, false).catch(() => undefined);
    const hit = cached?.get(kind);
    if (hit) return hit;
    const fresh = await this.load(apiVersion, true).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
      throw new KubeApiError('NotFound', 404, `the API server does not serve ${apiVersion}`, { cause: err });
    });
    const info = fresh.get(kind);
    if (!info) {
      throw new KubeApiError('NotFound', 404, `the API server does not serve kind ${kind} in ${apiVersion}`);
    }
    return info;
  }

  private load(apiVersion: string, refresh: boolean): Promise<Map<string, ResourceInfo>> {
    let entry = this.cache.get(apiVersion);
    if (!entry || refresh) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      entry = this.fetchJson(path, `discover ${apiVersion}`).then(body =>
        indexByKind(body as APIResourceList),
      );
      // A failed discovery must not stay cached.
      const pending = entry;
      pending.catch(() => {
        if (this.cache.get(apiVersion) === pending) this.cache.delete(apiVersion);
      });
      this.cache.set(apiVersion, pending);
    }
    return entry;
  }
}

function indexByKind(list: APIResourceList): Map<string, ResourceInfo> {
  const byKind = new Map<string, ResourceInfo>();
  for (const r of list.resources ?? []) {
    if (!r.name.includes('/')) byKind.set(r.kind, { plural: r.name, namespaced: r.namespaced });
  }
  return byKind;
}
