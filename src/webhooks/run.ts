// Running the hooks of one type as a gate: in spec order, stopping at the first failure.
import type { CanaryAnalysis, CanaryWebhook, WebhookType } from '../api/canary.ts';
import { webhookType } from '../api/defaults.ts';
import { callWebhook } from './call.ts';
import type { HookResult, WebhookPayload } from './types.ts';

export type HookFailure = Extract<HookResult, { ok: false }>;

/** The gate's first failing hook and why it failed. */
export interface GateFailure {
  hook: CanaryWebhook;
  result: HookFailure;
}

export type HookCaller = (hook: CanaryWebhook, payload: WebhookPayload) => Promise<HookResult>;

/** The hooks of one type in spec order; a hook without a type (or with type "") is a rollout hook. */
export function hooksOfType(
  analysis: Pick<CanaryAnalysis, 'webhooks'> | undefined,
  type: Exclude<WebhookType, ''>,
): CanaryWebhook[] {
  return (analysis?.webhooks ?? []).filter(hook => webhookType(hook) === type);
}

/**
 * Calls `hooks` one after the other and stops at the first failure, which it returns; undefined when all
 * passed. The hooks before a failure (all of them when undefined) are the ones that passed, so callers can
 * record their "check passed" events. `call` is replaceable for tests.
 */
export async function runGate(
  hooks: readonly CanaryWebhook[],
  payloadFor: (hook: CanaryWebhook) => WebhookPayload,
  call: HookCaller = callWebhook,
): Promise<GateFailure | undefined> {
  for (const hook of hooks) {
    const result = await call(hook, payloadFor(hook));
    if (!result.ok) return { hook, result };
  }
  return undefined;
}
