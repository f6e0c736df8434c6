// Reads shared within one unit of work. An analysis tick asks its plugins about the same target, primary and
// Services several times (metadata, readiness, revision, routes); within a read scope the first read of an
// object is the only GET, and each write hands back what the server stored, so the scope stays as current as
// fresh reads would be for anything this process changed. Objects others change during the scope are seen by the
// next scope, as a GET that came a moment earlier would have missed them too.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { KubeObject, ObjectRef } from './types.ts';

interface Entry {
  apiVersion: string;
  read: Promise<KubeObject>;
}

export class ReadScope {
  private readonly entries = new Map<string, Entry>();
  private open = true;

  /** The object as last read or written in this scope, when it was, in the same API version. */
  recall(server: string, ref: ObjectRef): Promise<KubeObject> | undefined {
    const entry = this.entries.get(keyOf(server, ref));
    return entry?.apiVersion === ref.apiVersion ? entry.read : undefined;
  }

  /**
   * Remembers (a copy of) what a read or write in flight returns; a failed one is forgotten, so that the next call
   * asks again.
   */
  remember(server: string, ref: ObjectRef, answer: Promise<KubeObject>): void {
    if (!this.open) return;
    const key = keyOf(server, ref);
    const read = answer.then(obj => structuredClone(obj));
    const entry = { apiVersion: ref.apiVersion, read };
    this.entries.set(key, entry);
    read.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
  }

  forget(server: string, ref: ObjectRef): void {
    this.entries.delete(keyOf(server, ref));
  }

  /** Work the scope started that outlives it (a background alert) reads afresh. */
  close(): void {
    this.open = false;
    this.entries.clear();
  }
}

const scopes = new AsyncLocalStorage<ReadScope>();

/** Runs fn in a new read scope, which ends with it. */
export async function withReadScope<T>(fn: () => Promise<T>): Promise<T> {
  const scope = new ReadScope();
  try {
    return await scopes.run(scope, fn);
  } finally {
    scope.close();
  }
}

/** The read scope the caller runs in, if any. */
export function currentReadScope(): ReadScope | undefined {
  return scopes.getStore();
}

/** One object whatever its API version: a write in one version replaces a read in another. */
function keyOf(server: string, ref: ObjectRef): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  return `${server} ${group} ${ref.kind} ${ref.namespace ?? ''} ${ref.name}`;
}
