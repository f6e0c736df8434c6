// The JSON body of every webhook call (Flagger's CanaryWebhookPayload).
import type { Canary, CanaryStatus } from '../api/canary.ts';
import type { CanaryPhase } from '../api/phases.ts';
import { computeHash } from '../util/hash.ts';
import type { WebhookPayload } from './types.ts';

/**
 * Identifies the revision under test, as Flagger's canaryChecksum does: a hash of status.trackedConfigs and
 * status.lastAppliedSpec. The value differs from Flagger's (spew + FNV, quirk Q18), but like Flagger's it changes
 * exactly when the target spec or a tracked config changes.
 */
export function canaryChecksum(status: CanaryStatus | undefined): string {
  // Go's string field cannot be absent, so a missing lastAppliedSpec hashes like an empty one; trackedConfigs is
  // a pointer in Go, so absent and empty stay different there and here.
  return computeHash({
    trackedConfigs: status?.trackedConfigs,
    lastAppliedSpec: status?.lastAppliedSpec ?? '',
  });
}

/** The payload for one call; `metadata` (the hook's) is left out when empty, like Go's `omitempty`. */
export function webhookPayload(
  canary: Canary,
  phase: CanaryPhase,
  metadata?: Record<string, string>,
): WebhookPayload {
  const payload: WebhookPayload = {
    name: canary.metadata.name ?? '',
    namespace: canary.metadata.namespace ?? '',
    phase,
    checksum: canaryChecksum(canary.status),
  };
  if (metadata !== undefined && Object.keys(metadata).length > 0) payload.metadata = metadata;
  return payload;
}
