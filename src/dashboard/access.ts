// Who is asking and what they may see and do. Locally (`--auth local`) the dashboard is the user's own kubectl:
// the requests carry the user's kubeconfig credentials and the API server decides. In a cluster (`--auth token`)
// every request carries the viewer's Kubernetes bearer token: TokenReview says who they are, and a
// SubjectAccessReview before each read and action says whether their RBAC allows it. Answers are cached briefly
// so that a page's live updates cost no API call per viewer.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  accessAllowed,
  reviewToken,
  type ResourceAttributes,
  type UserIdentity,
} from '../kube/access-review.ts';
import type { KubeClient } from '../kube/client.ts';

export type AuthMode = 'local' | 'token';

/** The person behind a request; user is absent locally, where the kubeconfig's identity is theirs. */
export interface Viewer {
  user?: UserIdentity;
}

/** How long an answer of the API server about a token or a permission is reused. */
const CACHE_MS = 10_000;

interface Cached<T> {
  value: Promise<T>;
  until: number;
}

export class Access {
  private readonly tokens = new Map<string, Cached<UserIdentity | undefined>>();
  private readonly decisions = new Map<string, Cached<boolean>>();
  private readonly client: KubeClient;
  readonly mode: AuthMode;

  constructor(client: KubeClient, mode: AuthMode) {
    this.client = client;
    this.mode = mode;
  }

  /** The viewer of a request, or undefined when it must be refused with 401. */
  async viewer(request: IncomingMessage): Promise<Viewer | undefined> {
    if (this.mode === 'local') return {};
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) return undefined;
    const key = createHash('sha256').update(token).digest('hex');
    const user = await this.cached(this.tokens, key, () => reviewToken(this.client, token));
    return user === undefined ? undefined : { user };
  }

  /** Whether the viewer may make the request (always locally: the API server answers for the user). */
  async may(viewer: Viewer, attributes: ResourceAttributes): Promise<boolean> {
    const { user } = viewer;
    if (user === undefined) return true;
    const key = JSON.stringify([user.username, user.groups, attributes]);
    return this.cached(this.decisions, key, () => accessAllowed(this.client, user, attributes));
  }

  private cached<T>(cache: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.until > now) return hit.value;
    for (const [k, entry] of cache) if (entry.until <= now) cache.delete(k);
    const value = load();
    cache.set(key, { value, until: now + CACHE_MS });
    // A failed review is not remembered: the next request asks again.
    value.catch(() => cache.delete(key));
    return value;
  }
}

/** RBAC attributes of the Canary resource. */
export const canaryAccess = (verb: string, namespace: string, name?: string): ResourceAttributes => ({
  verb,
  group: 'flagger.app',
  resource: 'canaries',
  namespace,
  ...(name !== undefined && { name }),
});
