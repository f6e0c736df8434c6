// Webhooks: the JSON body Flagger POSTs to every hook and event webhook, and the outcome of a call.
import type { CanaryPhase } from '../api/phases.ts';

/** Flagger's CanaryWebhookPayload. */
export interface WebhookPayload {
  name: string;
  namespace: string;
  phase: CanaryPhase;
  /** Identifies the revision under test: hash of status.trackedConfigs and status.lastAppliedSpec. */
  checksum: string;
  metadata?: Record<string, string>;
}

/** A 2xx (<= 202) answer, or why not: the response body, or the transport error. */
export type HookResult = { ok: true } | { ok: false; message: string };
