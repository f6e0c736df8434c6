// The `concord` task type (blocking): starts a Concord process for the canary's endpoint and polls it until it
// finishes (200) or fails, or until pollTimeout (500).
import { existsSync } from 'node:fs';
import { ConcordClient } from '../concord.ts';
import { abortReason } from '../exec.ts';
import { errorMessage } from '../http-json.ts';
import { httpUrl, MetadataError, parseInteger, required, type Metadata } from '../metadata.ts';
import { pause } from './wait.ts';
import { taskKey, type Task, type TaskContext, type TaskFactory, type TaskResult } from './types.ts';

const DEFAULT_POLL_INTERVAL_S = 5;
const DEFAULT_POLL_TIMEOUT_S = 30;
const ARGUMENT_PREFIX = 'arguments.';

interface ConcordSpec {
  client: ConcordClient;
  org: string;
  project: string;
  repo: string;
  entrypoint: string;
  endpoint: string;
  arguments: [string, string][];
  pollIntervalMs: number;
  pollTimeoutMs: number;
}

export const concordTask: TaskFactory = {
  mode: 'blocking',
  create(metadata: Metadata, context: TaskContext): Task {
    const spec = parseSpec(metadata);
    const description = `${spec.org} ${spec.project} ${spec.repo} ${spec.entrypoint}`;
    return {
      key: taskKey('concord', context.canary, description),
      description,
      run: signal => runConcord(spec, context, signal),
    };
  },
};

function parseSpec(metadata: Metadata): ConcordSpec {
  const need = (key: string) => required(metadata, key, `\`${key}\` is required with type concord`);
  const server = httpUrl(need('server'), 'failed to create base URL from metadata `server`');
  const org = need('org');
  const project = need('project');
  const repo = need('repo');
  const entrypoint = need('entrypoint');
  const apiKeyPath = need('apiKeyPath');
  if (!existsSync(apiKeyPath)) throw new MetadataError(`\`apiKeyPath\` file doesn't exist ${apiKeyPath}`);
  const endpoint = need('endpoint');
  const args = Object.entries(metadata)
    .filter(([key]) => key.startsWith(ARGUMENT_PREFIX))
    .sort(([a], [b]) => a.localeCompare(b));
  if (args.some(([key]) => key === `${ARGUMENT_PREFIX}endpoint`))
    throw new MetadataError('`arguments.endpoint` cannot be set: the endpoint comes from `endpoint`');
  return {
    client: new ConcordClient(server, apiKeyPath),
    org,
    project,
    repo,
    entrypoint,
    endpoint,
    arguments: args,
    pollIntervalMs: seconds(metadata, 'pollInterval', DEFAULT_POLL_INTERVAL_S) * 1000,
    pollTimeoutMs: seconds(metadata, 'pollTimeout', DEFAULT_POLL_TIMEOUT_S) * 1000,
  };
}

/** A whole number of seconds; Flagger's ticker panics on 0 or less, so those are rejected too. */
function seconds(metadata: Metadata, key: string, fallback: number): number {
  const value = metadata[key];
  if (value === undefined) return fallback;
  const n = parseInteger(value);
  if (n === undefined) throw new MetadataError(`unable to convert \`${key}\` to int`);
  if (n <= 0) throw new MetadataError(`\`${key}\` must be a positive number of seconds`);
  return n;
}

async function runConcord(spec: ConcordSpec, context: TaskContext, signal: AbortSignal): Promise<TaskResult> {
  const fields: [string, string][] = [
    ['org', spec.org],
    ['project', spec.project],
    ['repo', spec.repo],
    ['entryPoint', spec.entrypoint],
    ['arguments.endpoint', spec.endpoint],
    ...spec.arguments,
  ];
  let instanceId: string;
  try {
    instanceId = await spec.client.start(fields, signal);
  } catch (err) {
    context.logger.error(`failed to start process: ${errorMessage(err)}`);
    return { ok: false, output: '', error: `failed to start concord process: ${errorMessage(err)}` };
  }
  context.logger.info(`created process id [${instanceId}]`);
  return poll(spec, instanceId, context, signal);
}

/**
 * Polls every pollInterval until FINISHED or FAILED. Flagger re-arms its pollTimeout timer on every tick, so
 * the timeout never fires while ticks come faster; here pollTimeout counts from the first poll.
 */
async function poll(
  spec: ConcordSpec,
  instanceId: string,
  context: TaskContext,
  signal: AbortSignal,
): Promise<TaskResult> {
  const deadline = Date.now() + spec.pollTimeoutMs;
  const timeoutSeconds = spec.pollTimeoutMs / 1000;
  for (;;) {
    const wait = Math.min(spec.pollIntervalMs, deadline - Date.now());
    if (wait > 0 && !(await pause(wait, signal)))
      return failure(`concord process ${instanceId} aborted: ${abortReason(signal)}`);
    if (Date.now() >= deadline) return failure(`concord process timed out, after ${timeoutSeconds} seconds`);
    try {
      const { status } = await spec.client.process(instanceId, signal);
      context.logger.info(`process id [${instanceId}] current status is ${status}`);
      if (status === 'FINISHED') return { ok: true, output: '' };
      if (status === 'FAILED') return failure(`concord instanceID: ${instanceId} failed`);
    } catch (err) {
      return failure(`failed checking status: ${errorMessage(err)}`);
    }
  }
}

function failure(error: string): TaskResult {
  return { ok: false, output: '', error };
}
