// Create-or-update of one generated object with conflict retries: the shape every router's reconcile has.
import { isNotFound } from '../kube/errors.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';

export type UpsertResult = 'created' | 'updated' | 'unchanged';

export interface Upsert<T extends KubeObject> {
  ref: ObjectRef;
  /** The object to create when there is none. */
  create: () => T;
  /** Brings an existing object up to date in place; returns false when it already was. */
  update: (current: T) => boolean;
}

/** Creates the object when missing, else applies update (re-read and retried on conflicts). */
export async function upsert<T extends KubeObject>(kube: KubeClient, op: Upsert<T>): Promise<UpsertResult> {
  const outcome = { changed: false };
  try {
    await kube.modify<T>(op.ref, current => {
      outcome.changed = op.update(current);
      return outcome.changed;
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await kube.create(op.create());
    return 'created';
  }
  return outcome.changed ? 'updated' : 'unchanged';
}
