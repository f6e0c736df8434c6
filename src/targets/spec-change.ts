// New-revision detection from status.lastAppliedSpec / lastPromotedSpec (Flagger's hasSpecChanged), plus the
// migration case of a status written by Flagger, whose hashes this product cannot reproduce (quirk Q18).
import type { CanaryStatus } from '../api/canary.ts';
import { isOwnHash } from '../util/hash.ts';

/** 'migrate': the status was written by Flagger; compare the target with the primary instead. */
export type SpecChange = 'changed' | 'unchanged' | 'migrate';

export function specChange(
  status: Pick<CanaryStatus, 'lastAppliedSpec' | 'lastPromotedSpec'> | undefined,
  hash: string,
): SpecChange {
  const lastApplied = status?.lastAppliedSpec;
  if (!lastApplied) return 'changed';
  // A manual rollback to the promoted spec does not start a canary.
  if (hash === status.lastPromotedSpec) return 'unchanged';
  if (!isOwnHash(lastApplied)) return 'migrate';
  return hash === lastApplied ? 'unchanged' : 'changed';
}
