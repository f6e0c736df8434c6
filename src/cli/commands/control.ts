// `flagger promote|abort|pause|resume|retry NAME`: requests to the controller, written as annotations on the
// Canary with a JSON merge patch (docs/extensions.md). The controller acts on them at once and removes the
// one-shot ones.
import type { Canary } from '../../api/canary.ts';
import {
  ABORT_ANNOTATION,
  PAUSE_ANNOTATION,
  PROMOTE_ANNOTATION,
  RESET_ANNOTATION,
  SKIP_ANALYSIS_ANNOTATION,
} from '../../scheduler/extensions.ts';
import {
  canaryRef,
  CLUSTER_OPTIONS,
  connectCluster,
  explainKubeError,
  getCanary,
  helpRequested,
  parseCommandArgs,
  println,
  run,
  singleName,
  type Io,
} from './common.ts';

export type ControlVerb = 'promote' | 'abort' | 'pause' | 'resume' | 'retry';

/** One request: the annotations to set (null removes one) and what it asks for, in words. */
export interface ControlRequest {
  annotations: Record<string, string | null>;
  asks: string;
}

/** The request a verb makes; promote --full promotes without more analysis. */
export function controlRequest(verb: ControlVerb, full = false): ControlRequest {
  switch (verb) {
    case 'promote':
      return full
        ? {
            annotations: { [SKIP_ANALYSIS_ANNOTATION]: 'true' },
            asks: 'promote the current revision now, without more analysis',
          }
        : { annotations: { [PROMOTE_ANNOTATION]: 'step' }, asks: 'run the next analysis step now' };
    case 'abort':
      return { annotations: { [ABORT_ANNOTATION]: 'true' }, asks: 'roll the current release back now' };
    case 'pause':
      return {
        annotations: { [PAUSE_ANNOTATION]: 'true' },
        asks: 'pause the canary: nothing changes until it is resumed',
      };
    case 'resume':
      return { annotations: { [PAUSE_ANNOTATION]: null }, asks: 'resume the canary' };
    case 'retry':
      return {
        annotations: { [RESET_ANNOTATION]: 'true' },
        asks: 'start the analysis of the current revision over',
      };
  }
}

/** The JSON merge patch of a request. */
export function controlPatch(request: ControlRequest): {
  metadata: { annotations: Record<string, string | null> };
} {
  return { metadata: { annotations: request.annotations } };
}

/** Phases of a run the controller can still act on: promote a step of, or abort. */
const RUNNING = new Set(['Waiting', 'Progressing', 'WaitingPromotion']);
const PROMOTING = new Set(['Promoting', 'Finalising']);

/** What the user should know about the canary's state before the controller acts on the request. */
export function controlNotes(verb: ControlVerb, canary: Canary, name: string, full = false): string[] {
  const phase = canary.status?.phase || 'Initializing';
  const notes: string[] = [];
  if (canary.metadata.annotations?.[PAUSE_ANNOTATION] === 'true' && verb !== 'pause' && verb !== 'resume') {
    notes.push(`the canary is paused: nothing happens until flagger resume ${name}`);
  }
  if (canary.spec.suspend === true) {
    notes.push('spec.suspend is true: the controller skips this canary until it is set to false');
  }
  if (RUNNING.has(phase)) return notes;
  if (verb === 'abort') {
    notes.push(
      PROMOTING.has(phase)
        ? `the promotion is under way (phase ${phase}): too late to abort, the controller drops the request`
        : `no release is under way (phase ${phase}): the controller drops the request`,
    );
  } else if (verb === 'promote' && !PROMOTING.has(phase)) {
    notes.push(
      full
        ? `no release is under way (phase ${phase}): the next new revision is promoted without analysis`
        : `no release is under way (phase ${phase}): the request has no effect`,
    );
  }
  return notes;
}

const usage = (verb: ControlVerb) =>
  `usage: flagger ${verb} NAME${verb === 'promote' ? ' [--full]' : ''} [-n NAMESPACE] [--kubeconfig FILE] [--context NAME]` +
  (verb === 'promote'
    ? '\n  --full   promote now, without more analysis (default: run the next analysis step now)'
    : '');

export function controlCommand(verb: ControlVerb) {
  return (args: string[], io: Io): Promise<number> =>
    run(io, usage(verb), async () => {
      const options =
        verb === 'promote' ? { ...CLUSTER_OPTIONS, full: { type: 'boolean' as const } } : CLUSTER_OPTIONS;
      const { values, positionals } = parseCommandArgs(args, options);
      if (helpRequested(io, values, usage(verb))) return 0;
      const name = singleName(positionals);
      const { client, namespace } = connectCluster(values);
      const full = 'full' in values && values.full === true;
      const canary = await getCanary(client, namespace, name);
      const request = controlRequest(verb, full);
      const id = `${name}.${namespace}`;
      const shown = Object.entries(request.annotations)
        .map(([key, value]) => (value === null ? `removed ${key}` : `${key}: "${value}"`))
        .join(', ');
      if (verb === 'resume' && canary.metadata.annotations?.[PAUSE_ANNOTATION] === undefined) {
        println(io.out, `${id} is not paused: nothing to resume`);
        return 0;
      }
      try {
        await client.patch(canaryRef(namespace, name), 'merge', controlPatch(request));
      } catch (err) {
        throw explainKubeError(err, { namespace, name });
      }
      println(io.out, `${id}: asked to ${request.asks} (${shown})`);
      for (const note of controlNotes(verb, canary, name, full)) println(io.out, `note: ${note}`);
      return 0;
    });
}
