// Reads shared within one unit of work. An analysis tick asks its plugins about the same target, primary and
// Services several times (metadata, readiness, revision, routes); within a read scope the first read of an
// object is the only GET, and each write hands back what the server stored, so the scope stays as current as
// fresh reads would be for anything this process changed. Objects others change during the scope are seen by the
// next scope, as a GET that came a moment earlier would have missed them too.
//
// A scope may start from what an earlier one read (the previous tick of the same canary): such an object is used
// only while a watch reports it at the same resourceVersion, i.e. unchanged since it was read.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { KubeObject, ObjectRef } from './types.ts';

/** What a scope read or wrote, by object: for the next scope of the same work. */
export type Carried = Map<string, { apiVersion: string; object: KubeObject }>;

/** Whether the object is still at resourceVersion as a watch sees it (false when no watch covers it). */
export type IsCurrent = (server: string, ref: ObjectRef, resourceVersion: string) => boolean;

export interface CarryOver {
  carried: Carried | undefined;
  isCurrent: IsCurrent;
}

interface Entry {
  apiVersion: string;
  read: Promise<KubeObject>;
  /** The object once read. */
  value?: KubeObject;
}

export class ReadScope {
  private readonly entries = new Map<string, Entry>();
  private readonly carryOver: CarryOver | undefined;
  private open = true;

  constructor(carryOver?: CarryOver) {
    this.carryOver = carryOver;
  }

  /** Runs fn in this scope. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return scopes.run(this, fn);
  }

  /** The object as last read or written in this scope (or carried over unchanged), in the same API version. */
  recall(server: string, ref: ObjectRef): Promise<KubeObject> | undefined {
    const key = keyOf(server, ref);
    const entry = this.entries.get(key) ?? this.adopt(server, ref, key);
    return entry?.apiVersion === ref.apiVersion ? entry.read : undefined;
  }

  /**
   * Remembers (a copy of) what a read or write in flight returns; a failed one is forgotten, so that the next call
   * asks again.
   */
  remember(server: string, ref: ObjectRef, answer: Promise<KubeObject>): void {
    if (!this.open) return;
    const key = keyOf(server, ref);
    const entry: Entry = { apiVersion: ref.apiVersion, read: answer.then(obj => structuredClone(obj)) };
    this.entries.set(key, entry);
    entry.read.then(
      obj => (entry.value = obj),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
  }

  forget(server: string, ref: ObjectRef): void {
    this.entries.delete(keyOf(server, ref));
  }

  /** Ends the scope: work it started that outlives it (a background alert) reads afresh. Returns what it read. */
  close(): Carried {
    this.open = false;
    const carried: Carried = new Map();
    for (const [key, { apiVersion, value }] of this.entries)
      if (value !== undefined) carried.set(key, { apiVersion, object: value });
    this.entries.clear();
    return carried;
  }

  private adopt(server: string, ref: ObjectRef, key: string): Entry | undefined {
    const earlier = this.carryOver?.carried?.get(key);
    // Adopted once at most: after a conflict, the next read asks the server.
    this.carryOver?.carried?.delete(key);
    const version = earlier?.object.metadata?.resourceVersion;
    if (!this.open || earlier?.apiVersion !== ref.apiVersion || version === undefined) return undefined;
    if (!this.carryOver?.isCurrent(server, ref, version)) return undefined;
    const entry = {
      apiVersion: ref.apiVersion,
      read: Promise.resolve(earlier.object),
      value: earlier.object,
    };
    this.entries.set(key, entry);
    return entry;
  }
}

const scopes = new AsyncLocalStorage<ReadScope>();

/** Runs fn in a new read scope, which ends with it. */
export async function withReadScope<T>(fn: () => Promise<T>): Promise<T> {
  const scope = new ReadScope();
  try {
    return await scope.run(fn);
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
