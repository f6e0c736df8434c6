// New-revision detection from status.lastAppliedSpec / lastPromotedSpec (Flagger's hasSpecChanged). A status
// Flagger wrote holds hashes this product cannot reproduce (quirk Q18): the scheduler adopts its
// lastAppliedSpec on takeover (scheduler/takeover.ts), and where its lastPromotedSpec is still Flagger's, whether
// the target is back on the promoted revision is asked of the primary instead.
import type { CanaryStatus } from '../api/canary.ts';
import { isOwnHash } from '../util/hash.ts';

/** 'ask-primary': unchanged exactly when the primary runs what the target does (WorkloadTarget.isPromoted). */
export type SpecChange = 'changed' | 'unchanged' | 'ask-primary';

export function specChange(
  status: Pick<CanaryStatus, 'lastAppliedSpec' | 'lastPromotedSpec'> | undefined,
  hash: string,
): SpecChange {
  const lastApplied = status?.lastAppliedSpec;
  if (!lastApplied) return 'changed';
  // A manual rollback to the promoted spec does not start a canary.
  if (hash === lastApplied || hash === status.lastPromotedSpec) return 'unchanged';
  const promoted = status.lastPromotedSpec;
  if ((promoted !== undefined && promoted !== '' && !isOwnHash(promoted)) || !isOwnHash(lastApplied))
    return 'ask-primary';
  return 'changed';
}
