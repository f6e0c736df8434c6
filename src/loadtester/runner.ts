// Runs background tasks (cmd, ngrinder), one per key at a time: Flagger calls the load-test webhook on every
// analysis tick, and the load must be generated once, not once per call. A task whose key is running is
// skipped; when it ends, the next call starts it again. Each run is bounded by -timeout.
import type { Logger } from '../logging/logger.ts';
import { deadline } from './exec.ts';
import type { Task } from './tasks/types.ts';

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export class TaskRunner {
  private readonly timeoutMs: number;
  private readonly running = new Map<string, Running>();
  private stopped = false;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Starts the task unless one with the same key is running; false when skipped. */
  add(task: Task, logger: Logger): boolean {
    if (this.stopped) return false;
    if (this.running.has(task.key)) {
      logger.info(`command skipped ${task.description} is already running`);
      return false;
    }
    const controller = new AbortController();
    const timeout = deadline(this.timeoutMs);
    const signal = AbortSignal.any([controller.signal, timeout.signal]);
    logger.info(`task starting ${task.description}`);
    const done = task
      .run(signal)
      .then(
        () => undefined,
        (err: unknown) => logger.error(`task ${task.description} crashed: ${String(err)}`),
      )
      .finally(() => {
        timeout.clear();
        this.running.delete(task.key);
      });
    this.running.set(task.key, { controller, done });
    return true;
  }

  /** Keys of the tasks running now. */
  get runningKeys(): string[] {
    return [...this.running.keys()];
  }

  /** Aborts every running task and waits for them to end; nothing starts afterwards. */
  async stop(reason = 'the load tester is shutting down'): Promise<void> {
    this.stopped = true;
    const all = [...this.running.values()];
    for (const task of all) task.controller.abort(new Error(reason));
    await Promise.all(all.map(t => t.done));
  }
}
