// Event webhooks: every Kubernetes event Flagger records about a canary is also POSTed as a webhook payload.
import type { Canary, CanaryAnalysis, CanaryWebhook } from '../api/canary.ts';
import type { CanaryPhase } from '../api/phases.ts';
import type { EventType } from '../kube/events.ts';
import { callWebhook } from './call.ts';
import { webhookPayload } from './payload.ts';
import { hooksOfType, type HookCaller } from './run.ts';
import type { HookResult } from './types.ts';

/** The name Flagger gives the hook it builds from `-event-webhook` / EVENT_WEBHOOK_URL. */
const GLOBAL_EVENT_HOOK_NAME = 'events';

/**
 * Where a canary's events go: its `event` hooks, in spec order; only when it has none, the controller-wide
 * event webhook (when configured).
 */
export function eventHooks(
  analysis: Pick<CanaryAnalysis, 'webhooks'> | undefined,
  globalUrl: string | undefined,
): CanaryWebhook[] {
  const own = hooksOfType(analysis, 'event');
  if (own.length > 0 || globalUrl === undefined || globalUrl === '') return own;
  return [{ name: GLOBAL_EVENT_HOOK_NAME, url: globalUrl }];
}

/**
 * The event's metadata: eventMessage, eventType and timestamp (unix milliseconds, as a string), plus the hook's
 * own metadata, which cannot override those three keys.
 */
export function eventMetadata(
  eventType: EventType,
  message: string,
  hookMetadata: Record<string, string> | undefined,
  now: number = Date.now(),
): Record<string, string> {
  return { ...hookMetadata, eventMessage: message, eventType, timestamp: String(now) };
}

/**
 * POSTs one event to one event hook with the hook's timeout, retries and TLS setting, through `call` (one that
 * sends secretRef tokens, in the controller). `phase` is the phase to report (Flagger sends status.phase); the
 * event's `at` is when it happened (now by default). A failure is for the caller to log; it never stops the
 * analysis.
 */
export async function postEvent(
  hook: CanaryWebhook,
  canary: Canary,
  phase: CanaryPhase,
  event: { type: EventType; message: string; at?: number },
  call: HookCaller = callWebhook,
): Promise<HookResult> {
  const metadata = eventMetadata(event.type, event.message, hook.metadata, event.at ?? Date.now());
  return call(hook, webhookPayload(canary, phase, metadata));
}
