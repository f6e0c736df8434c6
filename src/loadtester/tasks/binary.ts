// The task types that prefix a binary to the metadata's `cmd` (helm, helmv3, kubectl) and exec it without a
// shell: the command is split into arguments (quotes respected, nothing expanded), so metadata cannot run
// anything but that binary.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ArgumentSyntaxError, splitArgs } from '../args.ts';
import { MetadataError, required, type Metadata } from '../metadata.ts';
import { commandTask } from './command.ts';
import { taskKey, type TaskContext, type TaskFactory, type TaskType } from './types.ts';

/** A factory for `type` running `binary` (or the first of several found on PATH). */
function binaryTask(type: TaskType, binaries: readonly [string, ...string[]]): TaskFactory {
  return {
    mode: 'blocking',
    create(metadata: Metadata, context: TaskContext) {
      const command = required(metadata, 'cmd', 'cmd not found in metadata');
      const args = parseArgs(command);
      const file = binaries.find(b => onPath(b, context.env)) ?? binaries[0];
      context.logger.info(`running command ${file} ${command}`);
      return commandTask({
        key: taskKey(type, context.canary, command),
        command: `${file} ${command}`,
        file,
        args,
        logOutput: true,
        context,
      });
    },
  };
}

function parseArgs(command: string): string[] {
  try {
    return splitArgs(command);
  } catch (err) {
    if (err instanceof ArgumentSyntaxError) throw new MetadataError(`invalid cmd: ${err.message}`);
    throw err;
  }
}

/** Whether an executable named `name` is in one of the PATH directories of `env`. */
export function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}

export const helmTask = binaryTask('helm', ['helm']);
// Flagger's image ships Helm 3 as `helmv3`; other images often have only `helm`, which is then used.
export const helmv3Task = binaryTask('helmv3', ['helmv3', 'helm']);
export const kubectlTask = binaryTask('kubectl', ['kubectl']);
