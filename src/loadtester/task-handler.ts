// `/` (and any path no other route takes, as with Go's ServeMux): runs the task the payload's metadata
// describes. Background types answer 202 at once; blocking types answer 200 (with the output when
// `returnCmdOutput` is true) or 500 with the error.
import type { ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger.ts';
import type { NamespaceAuthorizer } from './authorizer.ts';
import { deadline } from './exec.ts';
import type { Handler } from './gate-handlers.ts';
import { reply } from './http-io.ts';
import type { TaskLimits } from './limits.ts';
import { booleanOption, MetadataError } from './metadata.ts';
import { readPayload } from './request-payload.ts';
import type { TaskRunner } from './runner.ts';
import { isTaskType, TASK_FACTORIES } from './tasks/registry.ts';
import type { Task, TaskFactory, TaskResult } from './tasks/types.ts';

export interface TaskDeps {
  runner: TaskRunner;
  authorizer: NamespaceAuthorizer;
  /** -allowed-namespaces, -disable-task-types and -max-output-bytes (extension). */
  limits: TaskLimits;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Aborts the blocking tasks still running when the load tester stops. */
  shutdown: AbortSignal;
}

export function taskHandler(deps: TaskDeps): Handler {
  return async (req, res) => {
    const payload = await readPayload(req, res, deps.authorizer, deps.logger);
    if (!payload) return;
    const canary = `${payload.name}.${payload.namespace}`;
    const logger = deps.logger.child({ canary });
    const refusal = deps.limits.namespaceRefusal(payload.namespace);
    if (refusal !== undefined) {
      refuse(res, logger, refusal);
      return;
    }
    const { metadata } = payload;
    if (Object.keys(metadata).length === 0) {
      reply(res, 400, 'metadata not found in payload');
      return;
    }
    const type = metadata.type ?? 'cmd';
    if (!isTaskType(type)) {
      reply(res, 400, `unknown task type ${type}`);
      return;
    }
    const disabled = deps.limits.typeRefusal(type);
    if (disabled !== undefined) {
      refuse(res, logger, disabled);
      return;
    }
    const factory: TaskFactory = TASK_FACTORIES[type];
    let task: Task;
    let returnOutput: boolean;
    try {
      returnOutput = booleanOption(metadata, 'returnCmdOutput');
      task = factory.create(metadata, {
        canary,
        logger,
        env: deps.env,
        maxOutputBytes: deps.limits.maxOutputBytes,
      });
    } catch (err) {
      if (!(err instanceof MetadataError)) throw err;
      logger.error(`${type} task rejected: ${err.message}`);
      reply(res, 400, err.message);
      return;
    }
    if (factory.mode === 'background') {
      deps.runner.add(task, logger);
      reply(res, 202);
      return;
    }
    const result = await runBlocking(task, res, deps);
    if (result.ok) reply(res, 200, returnOutput ? result.output : '');
    else reply(res, 500, result.error ?? 'task failed');
  };
}

/** A task the limits forbid: 403 with the reason, which the log keeps too. */
function refuse(res: ServerResponse, logger: Logger, reason: string): void {
  logger.warn(`task refused: ${reason}`);
  reply(res, 403, reason);
}

/**
 * Runs a blocking task until it ends, -timeout passes, the load tester stops, or the caller hangs up: Flagger
 * goes on running the command after its webhook call timed out, and the next analysis tick starts another.
 */
function runBlocking(task: Task, res: ServerResponse, deps: TaskDeps): Promise<TaskResult> {
  const callerGone = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) callerGone.abort(new Error('the caller closed the connection'));
  };
  res.once('close', onClose);
  const timeout = deadline(deps.timeoutMs);
  const signal = AbortSignal.any([timeout.signal, callerGone.signal, deps.shutdown]);
  return task.run(signal).finally(() => {
    timeout.clear();
    res.off('close', onClose);
  });
}
