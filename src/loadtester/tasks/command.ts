// A task that runs one process: the shared part of the cmd, bash, helm, helmv3 and kubectl types. Results are
// logged like Flagger's ("command finished ...", "command failed ..."), and a failure answers with Flagger's
// message: `command <cmd> failed: <output>: <exit status>`.
import { runProcess } from '../exec.ts';
import { MetadataError } from '../metadata.ts';
import type { Task, TaskContext, TaskResult } from './types.ts';

export interface CommandSpec {
  key: string;
  /** The command as written in the metadata. */
  command: string;
  file: string;
  args: readonly string[];
  /** Logs the output of a successful run at info level. */
  logOutput: boolean;
  context: TaskContext;
}

export function commandTask(spec: CommandSpec): Task {
  const { logger, env, maxOutputBytes } = spec.context;
  // spawn() throws on a NUL in an argument: refuse such a command when the task is built (400), rather than
  // answering 500 (blocking types) or accepting it with 202 and failing in the background (cmd).
  if (spec.args.some(arg => arg.includes('\u0000')))
    throw new MetadataError(`cmd must not contain a NUL character: ${JSON.stringify(spec.command)}`);
  return {
    key: spec.key,
    description: spec.command,
    async run(signal: AbortSignal): Promise<TaskResult> {
      const result = await runProcess(spec.file, spec.args, { signal, env, maxOutputBytes });
      if (!result.ok) {
        const error = result.error ?? 'failed';
        logger.error(`command failed ${spec.command} ${error} ${result.output}`);
        return {
          ok: false,
          output: result.output,
          error: `command ${spec.command} failed: ${result.output}: ${error}`,
        };
      }
      if (spec.logOutput && result.output !== '') logger.info(result.output);
      logger.info(`command finished ${spec.command}`);
      return { ok: true, output: result.output };
    },
  };
}
