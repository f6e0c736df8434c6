// The task types a webhook's `metadata.type` selects, and the one interface each implements. A factory
// validates the metadata and builds the task; the server decides from the factory's mode whether to answer at
// once (background) or after the task (blocking).
import type { Logger } from '../../logging/logger.ts';
import type { Metadata } from '../metadata.ts';

/** Flagger's task types. `cmd` is the default when `metadata.type` is absent. */
export type TaskType = 'cmd' | 'bash' | 'helm' | 'helmv3' | 'kubectl' | 'concord' | 'ngrinder';

export interface TaskResult {
  ok: boolean;
  /** The command's output (bounded), returned with `returnCmdOutput`. */
  output: string;
  /** Why it failed: the body of the 500 answer. */
  error?: string;
}

export interface Task {
  /** Identifies the task for de-duplication: its type, canary and what it runs. */
  readonly key: string;
  /** What it runs, for logs. */
  readonly description: string;
  /** Runs until done or until `signal` aborts (timeout, caller gone, shutdown). Never rejects. */
  run(signal: AbortSignal): Promise<TaskResult>;
}

/** What a task may use besides its metadata. */
export interface TaskContext {
  /** `<name>.<namespace>` of the canary that called. */
  canary: string;
  /** Bound to the canary. */
  logger: Logger;
  /** The environment of child processes. */
  env: NodeJS.ProcessEnv;
  /** -max-output-bytes: the most output kept of a command (its end); MAX_OUTPUT_BYTES when absent. */
  maxOutputBytes?: number;
}

export interface TaskFactory {
  /**
   * `background`: queued, answered 202 at once, de-duplicated while running (load generators).
   * `blocking`: run during the request, answered 200 or 500 (tests and gates).
   */
  readonly mode: 'background' | 'blocking';
  /** Builds the task; throws MetadataError when the metadata is incomplete or invalid. */
  create(metadata: Metadata, context: TaskContext): Task;
}

/** The de-duplication key: unambiguous for any canary name and command text. */
export function taskKey(type: TaskType, canary: string, what: string): string {
  return JSON.stringify([type, canary, what]);
}
