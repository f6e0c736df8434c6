// `flagger status NAME [--wait] [--timeout DURATION]`: for CI. Exit 0 when the current revision is promoted,
// 1 when its release failed, 2 while it is under way (without --wait) or on timeout. With --wait, every change
// of phase, weight or iterations is printed until the release ends.
import type { Canary } from '../../api/canary.ts';
import { API_VERSION } from '../../api/crds.ts';
import { parseDuration } from '../../api/duration.ts';
import type { KubeClient } from '../../kube/client.ts';
import { Informer } from '../../kube/informer.ts';
import { silentLogger } from '../../logging/logger.ts';
import { createTarget } from '../../targets/registry.ts';
import { isOwnHash } from '../../util/hash.ts';
import {
  CLUSTER_OPTIONS,
  colorsFor,
  connectCluster,
  getCanary,
  helpRequested,
  nowOf,
  parseCommandArgs,
  println,
  run,
  singleName,
  UsageError,
  type Io,
} from './common.ts';
import { formatSpan, phasePaint, type Palette } from './table.ts';
import { computePlan, currentTick } from './timeline.ts';

export const STATUS_USAGE = `usage: flagger status NAME [--wait] [--timeout DURATION] [-n NAMESPACE]
  --wait               wait until the release of the current revision ends, printing its progress
  --timeout DURATION   give up waiting after DURATION (e.g. 10m; default: no limit)
  --mesh-provider NAME the controller's -mesh-provider, for canaries without spec.provider (default istio)
exit codes: 0 the current revision is promoted, 1 its release failed (or an error),
            2 the release is still under way (without --wait) or --timeout passed`;

const OPTIONS = {
  ...CLUSTER_OPTIONS,
  wait: { type: 'boolean', short: 'w' },
  timeout: { type: 'string' },
  'mesh-provider': { type: 'string' },
} as const;

export type Outcome = 'promoted' | 'failed' | 'running';

/** Exit codes of the outcomes. */
export const EXIT_CODES: Record<Outcome | 'timeout', number> = {
  promoted: 0,
  failed: 1,
  running: 2,
  timeout: 2,
};

/**
 * Where the current revision stands. Promoted: Succeeded with the applied spec promoted, or Initialized; failed:
 * Failed; anything else (or a target changed since, that the controller has not picked up yet) is running.
 */
export function outcomeOf(canary: Canary, pendingRevision = false): Outcome {
  const status = canary.status;
  if (pendingRevision) return 'running';
  switch (status?.phase) {
    case 'Initialized':
      return 'promoted';
    case 'Succeeded':
      return status.lastAppliedSpec === status.lastPromotedSpec ? 'promoted' : 'running';
    case 'Failed':
      return 'failed';
    default:
      return 'running';
  }
}

/**
 * Whether the target (or a tracked ConfigMap/Secret) changed since the controller last looked: a new revision
 * that the next tick will start analysing. Read with the controller's default options; any failure, or a status
 * whose hashes this controller did not write (Flagger's), means no.
 */
export async function hasPendingRevision(client: KubeClient, canary: Canary): Promise<boolean> {
  const phase = canary.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Initialized' && phase !== 'Failed') return false;
  if (!isOwnHash(canary.status?.lastAppliedSpec)) return false;
  try {
    const target = createTarget(canary, {
      kube: client,
      logger: silentLogger(),
      options: {
        selectorLabels: ['app', 'name', 'app.kubernetes.io/name'],
        includeLabelPrefix: [],
        enableConfigTracking: true,
      },
    });
    return (await target.hasTargetChanged(canary)) || (await target.haveDependenciesChanged(canary));
  } catch {
    return false;
  }
}

/** One progress line: "podinfo.test Progressing, canary weight 20 (step 2 of 5), failed checks 0/2". */
export function progressLine(canary: Canary, meshProvider: string, colors: Palette): string {
  const { phase = '', canaryWeight = 0, failedChecks = 0, iterations = 0 } = canary.status ?? {};
  const shown = phase || 'not initialized';
  const plan = computePlan(canary, { meshProvider });
  const tick = currentTick(plan, canary.status);
  const step = tick?.step === undefined ? undefined : `step ${tick.step} of ${plan.steps}`;
  const where = plan.strategy === 'canary' ? `canary weight ${canaryWeight}` : `iteration ${iterations}`;
  const id = `${canary.metadata.name ?? ''}.${canary.metadata.namespace ?? ''}`;
  return (
    `${id} ${phasePaint(colors, shown)(shown)}, ${where}` +
    (step === undefined ? '' : ` (${step})`) +
    `, failed checks ${failedChecks}/${plan.threshold}`
  );
}

function finalLine(canary: Canary, outcome: Outcome, waiting = false): string {
  const { name = '', namespace = '' } = canary.metadata;
  const condition = canary.status?.conditions?.find(c => c.type === 'Promoted')?.message;
  const because = condition === undefined ? '' : ` (${condition})`;
  switch (outcome) {
    case 'promoted':
      return `${name}.${namespace}: the current revision is promoted${because}`;
    case 'failed':
      return `${name}.${namespace}: the release failed${because}; see why with flagger describe ${name} -n ${namespace}`;
    case 'running': {
      const phase = canary.status?.phase || 'not initialized';
      const hint = waiting ? '' : '; wait for its end with --wait';
      return `${name}.${namespace}: the release is under way (${phase})${hint}`;
    }
  }
}

export async function runStatus(args: string[], io: Io): Promise<number> {
  return run(io, STATUS_USAGE, async () => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS);
    if (helpRequested(io, values, STATUS_USAGE)) return 0;
    const name = singleName(positionals);
    const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout);
    if (values.timeout !== undefined && (timeoutMs === undefined || timeoutMs <= 0)) {
      throw new UsageError(`--timeout ${values.timeout} is not a duration (e.g. 90s, 10m)`);
    }
    const { client, namespace } = connectCluster(values);
    const meshProvider = values['mesh-provider'] ?? 'istio';
    const colors = colorsFor(io.out, io.env);
    const canary = await getCanary(client, namespace, name);
    if (values.wait !== true) {
      const outcome = outcomeOf(canary, await hasPendingRevision(client, canary));
      println(io.out, progressLine(canary, meshProvider, colors));
      println(io.out, finalLine(canary, outcome));
      return EXIT_CODES[outcome];
    }
    return wait(client, canary, { io, meshProvider, colors, ...(timeoutMs !== undefined && { timeoutMs }) });
  });
}

interface WaitOptions {
  io: Io;
  meshProvider: string;
  colors: Palette;
  timeoutMs?: number;
}

/** Follows the canary through an informer until its release ends, the timeout passes or io.signal aborts. */
async function wait(client: KubeClient, first: Canary, options: WaitOptions): Promise<number> {
  const { io, meshProvider, colors } = options;
  const name = first.metadata.name ?? '';
  const namespace = first.metadata.namespace ?? 'default';
  const stamp = () => new Date(nowOf(io)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let lastLine = '';
  let latest = first;
  let done = false;
  let resolveFinished: (code: number) => void = () => undefined;
  const finished = new Promise<number>(resolve => (resolveFinished = resolve));
  const finish = (code: number) => {
    done = true;
    resolveFinished(code);
  };
  let checking = Promise.resolve();
  const consider = (canary: Canary) => {
    if (done) return;
    latest = canary;
    const line = progressLine(canary, meshProvider, colors);
    if (line !== lastLine) println(io.out, `${stamp()} ${line}`);
    lastLine = line;
    // One evaluation at a time, each on the newest object it sees.
    checking = checking.then(async () => {
      if (done || latest !== canary) return;
      const outcome = outcomeOf(canary, await hasPendingRevision(client, canary));
      if (outcome === 'running') return;
      println(io.out, finalLine(canary, outcome));
      finish(EXIT_CODES[outcome]);
    });
  };
  const informer = new Informer<Canary>(client, {
    apiVersion: API_VERSION,
    kind: 'Canary',
    namespace,
    logger: silentLogger(),
  });
  const mine = (c: Canary) => c.metadata.name === name;
  informer.addHandlers({
    onAdd: c => {
      if (mine(c)) consider(c);
    },
    onUpdate: (_, c) => {
      if (mine(c)) consider(c);
    },
    onDelete: c => {
      if (!mine(c) || done) return;
      println(io.err, `error: canary ${name} was deleted in namespace ${namespace} while waiting`);
      finish(1);
    },
  });
  consider(first);
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          println(
            io.err,
            `error: timed out after ${formatSpan(options.timeoutMs ?? 0)}: ${finalLine(latest, 'running', true)}`,
          );
          finish(EXIT_CODES.timeout);
        }, options.timeoutMs);
  const onAbort = () => finish(130);
  io.signal?.addEventListener('abort', onAbort, { once: true });
  if (io.signal?.aborted === true) finish(130);
  informer.start();
  try {
    return await finished;
  } finally {
    clearTimeout(timer);
    io.signal?.removeEventListener('abort', onAbort);
    informer.stop();
  }
}
