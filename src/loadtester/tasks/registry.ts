// Every task type and its factory. A Record over TaskType, so adding a type without a factory (or a factory
// without a type) does not compile. An unknown `metadata.type` is a 400 (Flagger panics on it, quirk Q15).
import { helmTask, helmv3Task, kubectlTask } from './binary.ts';
import { concordTask } from './concord.ts';
import { ngrinderTask } from './ngrinder.ts';
import { bashTask, cmdTask } from './shell.ts';
import type { TaskFactory, TaskType } from './types.ts';

export const TASK_FACTORIES: Readonly<Record<TaskType, TaskFactory>> = {
  cmd: cmdTask,
  bash: bashTask,
  helm: helmTask,
  helmv3: helmv3Task,
  kubectl: kubectlTask,
  concord: concordTask,
  ngrinder: ngrinderTask,
};

export function isTaskType(value: string): value is TaskType {
  return Object.hasOwn(TASK_FACTORIES, value);
}
