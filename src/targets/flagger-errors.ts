// Failures worded as Flagger's ("deployment podinfo.test get query error: ..."), so that events and logs read as
// Flagger's do. The original error stays available as the cause (e.g. isNotFound(err.cause)).
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject, ObjectRef } from '../kube/types.ts';
import { dotted } from './generated-metadata.ts';

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Gets an object; a failure becomes `<noun> <name>.<namespace> get query error: <reason>`. */
export async function getQuery<T extends KubeObject>(
  kube: KubeClient,
  ref: ObjectRef,
  noun: string,
): Promise<T> {
  try {
    return await kube.get<T>(ref);
  } catch (err) {
    const where = dotted(ref.name, ref.namespace ?? '');
    throw new Error(`${noun} ${where} get query error: ${errorMessage(err)}`, { cause: err });
  }
}

/** Runs work; a failure becomes `<context>: <reason>`. */
export async function withContext<R>(context: string, work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (err) {
    throw new Error(`${context}: ${errorMessage(err)}`, { cause: err });
  }
}
