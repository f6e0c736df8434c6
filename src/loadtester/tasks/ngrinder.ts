// The `ngrinder` task type (background): clones an nGrinder test and starts it, then polls its status until it
// ends; when the task times out or the load tester stops, the test is stopped on the nGrinder server.
import { parseDuration } from '../../api/duration.ts';
import { abortReason } from '../exec.ts';
import { errorMessage } from '../http-json.ts';
import { httpUrl, MetadataError, parseInteger, type Metadata } from '../metadata.ts';
import { NGrinderClient } from '../ngrinder.ts';
import { pause } from './wait.ts';
import { taskKey, type Task, type TaskContext, type TaskFactory, type TaskResult } from './types.ts';

const DEFAULT_POLL_INTERVAL_MS = 1_000;
const STOP_TIMEOUT_MS = 10_000;
const FAILED = new Set(['STOP_BY_ERROR', 'CANCELED', 'UNKNOWN']);

export const ngrinderTask: TaskFactory = {
  mode: 'background',
  create(metadata: Metadata, context: TaskContext): Task {
    const { server, clone, username, passwd } = metadata;
    if (!server || !clone || !username || !passwd)
      throw new MetadataError('server, clone, username and passwd are required metadata');
    const url = httpUrl(server, 'invalid url');
    const cloneId = parseInteger(clone);
    if (cloneId === undefined)
      throw new MetadataError(`metadata clone must be integer: ${JSON.stringify(clone)}`);
    const client = new NGrinderClient(url, username, decodePassword(passwd));
    const pollIntervalMs = pollInterval(metadata.pollInterval);
    return {
      key: taskKey('ngrinder', context.canary, String(cloneId)),
      description: client.cloneAndStartUrl(cloneId).href,
      run: signal => runTest(client, cloneId, pollIntervalMs, context, signal),
    };
  },
};

/** passwd is base64, decoded strictly (padding included) as Go's base64.StdEncoding does. */
function decodePassword(passwd: string): string {
  if (passwd.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(passwd))
    throw new MetadataError('metadata password is invalid: not standard base64');
  return Buffer.from(passwd, 'base64').toString('utf8');
}

/**
 * A Go duration, 1s when absent. Flagger multiplies the parsed duration by another second (quirk Q16), so only
 * its fallback worked; here the interval is the one written, and an invalid one is an error.
 */
function pollInterval(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_POLL_INTERVAL_MS;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new MetadataError(
      `metadata pollInterval must be a positive duration such as 5s, got ${JSON.stringify(value)}`,
    );
  return ms;
}

async function runTest(
  client: NGrinderClient,
  cloneId: number,
  pollIntervalMs: number,
  context: TaskContext,
  signal: AbortSignal,
): Promise<TaskResult> {
  let testId: number;
  try {
    testId = await client.cloneAndStart(cloneId, signal);
  } catch (err) {
    const error = `failed to clone and start ngrinder test ${client.cloneAndStartUrl(cloneId).href}: ${errorMessage(err)}`;
    context.logger.error(error);
    return { ok: false, output: '', error };
  }
  context.logger.info(`ngrinder test ${testId} started from ${cloneId}`);
  while (await pause(pollIntervalMs, signal)) {
    let status: string | undefined;
    try {
      status = await client.status(testId, signal);
    } catch (err) {
      // Like Flagger, a failed poll is retried on the next tick.
      context.logger.debug(`status of ngrinder test ${testId} unavailable: ${errorMessage(err)}`);
      continue;
    }
    context.logger.debug(`status of ngrinder task ${testId} is ${status ?? 'unknown'}`);
    if (status === 'FINISHED') {
      context.logger.info(`ngrinder test ${testId} finished`);
      return { ok: true, output: '' };
    }
    if (status !== undefined && FAILED.has(status)) {
      context.logger.error(`ngrinder test ${testId} ended with ${status}`);
      return { ok: false, output: '', error: `ngrinder test ${testId} ended with ${status}` };
    }
  }
  return stopTest(client, testId, context, abortReason(signal));
}

async function stopTest(
  client: NGrinderClient,
  testId: number,
  context: TaskContext,
  reason: string,
): Promise<TaskResult> {
  context.logger.warn(`${reason}, stop ngrinder task ${testId} forcibly`);
  try {
    await client.stop(testId, AbortSignal.timeout(STOP_TIMEOUT_MS));
  } catch (err) {
    context.logger.error(`stopping ngrinder test ${testId} failed: ${errorMessage(err)}`);
  }
  return { ok: false, output: '', error: `ngrinder test ${testId} stopped: ${reason}` };
}
