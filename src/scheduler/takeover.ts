// Taking over a canary whose status Flagger wrote. Flagger's revision hashes (FNV-32a over a Go `spew` dump of
// the pod template, quirk Q18) cannot be reproduced here, so instead of comparing hashes this adopts the revision
// Flagger recorded, which is the target as it is now, and records our own hash for it: a release Flagger left
// half-way goes on from its weight, iteration or gate, and one it rejected stays rejected. Nothing here sends an
// event: a takeover is only logged, once per canary.
import type { CanaryStatus } from '../api/canary.ts';
import type { Revision } from '../targets/types.ts';
import { isOwnHash } from '../util/hash.ts';
import type { StatusChange } from './status.ts';
import type { TickContext } from './tick-context.ts';

/** The phases in which the last promotion is all there is: the target should be what the primary runs. */
const PROMOTED_PHASES: ReadonlySet<string> = new Set(['Initialized', 'Succeeded']);

/** A hash Flagger wrote: set, and not in our format. */
export function isFlaggerHash(hash: string | undefined): hash is string {
  return hash !== undefined && hash !== '' && !isOwnHash(hash);
}

/** True when the status holds a hash of Flagger's that a takeover would replace. */
export function needsTakeover(status: CanaryStatus | undefined): boolean {
  return isFlaggerHash(status?.lastAppliedSpec) || isFlaggerHash(status?.lastPromotedSpec);
}

/** What a takeover writes and how it is logged; change is undefined when nothing can be adopted yet. */
export interface Takeover {
  change: StatusChange | undefined;
  summary: string;
}

/**
 * The takeover of a status with Flagger's hashes, given the target's revision now and whether the primary runs it.
 * - lastAppliedSpec: the target now, in every phase but one: an idle, promoted canary whose target no longer
 *   matches the primary was changed after Flagger last looked, so Flagger's hash stays and the next step sees a
 *   new revision (`specChange` asks the primary), as Flagger would have.
 * - lastPromotedSpec: ours only when the primary runs the target; otherwise Flagger's stays, and whether the
 *   target is back on the promoted revision is asked of the primary until the next promotion replaces it.
 * Phase, weights, iterations, failed checks, tracked configs (whose checksums are Flagger's own) and conditions
 * are kept as they are.
 */
export function takeover(status: CanaryStatus, revision: Revision, promoted: boolean): Takeover {
  const phase = status.phase ?? '';
  const adoptApplied = isFlaggerHash(status.lastAppliedSpec) && (promoted || !PROMOTED_PHASES.has(phase));
  const adoptPromoted = isFlaggerHash(status.lastPromotedSpec) && promoted;
  const fields: Partial<CanaryStatus> = {
    ...(adoptApplied ? { lastAppliedSpec: revision.specHash } : {}),
    ...(adoptPromoted ? { lastPromotedSpec: revision.specHash } : {}),
  };
  const where = [
    `phase ${phase || 'Initializing'}`,
    `canary weight ${status.canaryWeight ?? 0}`,
    `iterations ${status.iterations ?? 0}`,
    `failed checks ${status.failedChecks ?? 0}`,
  ].join(', ');
  const revisionNote = adoptApplied
    ? 'its revision is the target as it runs now'
    : 'the target changed since Flagger recorded its revision';
  return {
    change: Object.keys(fields).length === 0 ? undefined : canary => ({ ...canary.status, ...fields }),
    summary: `${where}; ${revisionNote}`,
  };
}

/** Adopts a status Flagger wrote, before the tick judges whether the target changed. */
export async function adoptFlaggerStatus(ctx: TickContext): Promise<void> {
  const { status } = ctx.canary;
  if (status === undefined || !needsTakeover(status)) return;
  const firstLook = isFlaggerHash(status.lastAppliedSpec);
  const revision = await ctx.target.revision(ctx.canary);
  const result = takeover(status, revision, await ctx.target.isPromoted(ctx.canary));
  if (result.change !== undefined) await ctx.write(result.change);
  // Logged when Flagger's applied hash is first seen: a promoted hash of Flagger's may stay until the next
  // promotion, and is looked at again quietly.
  if (firstLook) {
    const { name, namespace } = ctx.canary.metadata;
    ctx.deps.recorder
      .logger(ctx.canary)
      .info(`Taking over canary ${name ?? ''}.${namespace ?? ''} from Flagger's status: ${result.summary}`);
  }
}
