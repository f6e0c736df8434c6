// The two task types that run their command through a shell, as Flagger does: `cmd` with `sh -c` in the
// background (load generators such as hey, wrk, ghz) and `bash` with `bash -c` during the request (bats tests).
// Everything else execs its binary directly.
import { booleanOption, required, type Metadata } from '../metadata.ts';
import { commandTask } from './command.ts';
import { taskKey, type TaskContext, type TaskFactory } from './types.ts';

const CMD_REQUIRED = 'cmd not found in metadata';

export const cmdTask: TaskFactory = {
  mode: 'background',
  create(metadata: Metadata, context: TaskContext) {
    const command = required(metadata, 'cmd', CMD_REQUIRED);
    return commandTask({
      key: taskKey('cmd', context.canary, command),
      command,
      file: 'sh',
      args: ['-c', command],
      logOutput: booleanOption(metadata, 'logCmdOutput'),
      context,
    });
  },
};

export const bashTask: TaskFactory = {
  mode: 'blocking',
  create(metadata: Metadata, context: TaskContext) {
    // Flagger runs an absent cmd as `bash -c ""`, which passes without testing anything; here it is an error.
    const command = required(metadata, 'cmd', CMD_REQUIRED);
    context.logger.info(`bash command ${command}`);
    return commandTask({
      key: taskKey('bash', context.canary, command),
      command,
      file: 'bash',
      args: ['-c', command],
      // Flagger always shows the output of blocking commands.
      logOutput: true,
      context,
    });
  },
};
