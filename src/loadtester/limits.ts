// Extension: what the load tester refuses to run (-allowed-namespaces, -disable-task-types). It runs commands for
// anyone who can reach it, so an operator may confine it to some namespaces and turn off the task types that run
// arbitrary commands (cmd, bash) while keeping the others. Gates are not affected: they run nothing. Also how much
// of a command's output is kept (-max-output-bytes); how long it may run is Flagger's -timeout.
import { MAX_OUTPUT_BYTES } from './output.ts';
import type { TaskType } from './tasks/types.ts';

export interface TaskLimitOptions {
  /** Namespaces whose canaries may run tasks; empty or absent allows every namespace (Flagger's behaviour). */
  allowedNamespaces?: readonly string[];
  /** Task types that are refused. */
  disabledTaskTypes?: readonly TaskType[];
  /** The most output kept per command (MAX_OUTPUT_BYTES by default). */
  maxOutputBytes?: number;
}

export class TaskLimits {
  private readonly namespaces: ReadonlySet<string>;
  private readonly disabled: ReadonlySet<TaskType>;
  readonly maxOutputBytes: number;

  constructor(options: TaskLimitOptions = {}) {
    this.namespaces = new Set(options.allowedNamespaces ?? []);
    this.disabled = new Set(options.disabledTaskTypes ?? []);
    this.maxOutputBytes = options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  }

  /** Why a canary of `namespace` may not run tasks (the 403 answer); undefined when it may. */
  namespaceRefusal(namespace: string): string | undefined {
    if (this.namespaces.size === 0 || this.namespaces.has(namespace)) return undefined;
    return `tasks from namespace ${JSON.stringify(namespace)} are not allowed (-allowed-namespaces)`;
  }

  /** Why a task of `type` may not run (the 403 answer); undefined when it may. */
  typeRefusal(type: TaskType): string | undefined {
    if (!this.disabled.has(type)) return undefined;
    return `task type ${type} is disabled (-disable-task-types)`;
  }

  /** The limits in force, for the start-up log; empty when there are none. */
  describe(): string[] {
    return [
      ...(this.namespaces.size > 0
        ? [`Tasks allowed from namespaces: ${[...this.namespaces].join(', ')}`]
        : []),
      ...(this.disabled.size > 0 ? [`Task types disabled: ${[...this.disabled].join(', ')}`] : []),
      ...(this.maxOutputBytes !== MAX_OUTPUT_BYTES
        ? [`Task output kept: the last ${this.maxOutputBytes} bytes`]
        : []),
    ];
  }
}
