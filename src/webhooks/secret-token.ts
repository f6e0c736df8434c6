// Extension: a webhook's `secretRef` names a Secret in the canary's namespace whose key `token` is sent as
// `Authorization: Bearer` (a load tester started with -auth-token-file wants it). The Secret is read for each
// call, so a rotated token is used from the next call on. A hook whose token cannot be had fails without being
// called, with a message that says what is missing and never what the Secret holds.
import type { CanaryWebhook } from '../api/canary.ts';
import { decodeSecretData } from '../kube/secret-data.ts';
import { callWebhook, type HookCredentials } from './call.ts';
import type { HookCaller } from './run.ts';
import type { HookResult, WebhookPayload } from './types.ts';

/** The key of the Secret that holds the token (the key AlertProvider Secrets use for theirs). */
export const WEBHOOK_TOKEN_KEY = 'token';

/** Reads a Secret; `data` is base64-encoded, as the API server sends it. */
export interface SecretSource {
  get(namespace: string, name: string): Promise<{ data?: Record<string, string> }>;
}

export type CredentialedCaller = (
  hook: CanaryWebhook,
  payload: WebhookPayload,
  credentials: HookCredentials,
) => Promise<HookResult>;

// RFC 6750 allows fewer characters; any visible ASCII goes, but never what would break the header (a space or a
// line break), since fetch would reject the header with the value in its message.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** A caller that sends each hook's secretRef token; hooks without a secretRef are called as before. */
export function withSecretTokens(secrets: SecretSource, call: CredentialedCaller = callWebhook): HookCaller {
  return async (hook, payload) => {
    if (hook.secretRef === undefined) return call(hook, payload, {});
    const token = await readToken(secrets, payload.namespace, hook.secretRef.name);
    if (typeof token !== 'string') return token;
    return call(hook, payload, { bearerToken: token });
  };
}

async function readToken(
  secrets: SecretSource,
  namespace: string,
  name: string,
): Promise<string | Extract<HookResult, { ok: false }>> {
  const where = `secret ${namespace}/${name} (webhook secretRef)`;
  let data: Record<string, string>;
  try {
    data = decodeSecretData(await secrets.get(namespace, name));
  } catch (err) {
    return { ok: false, message: `${where}: ${err instanceof Error ? err.message : String(err)}` };
  }
  // A file given to `kubectl create secret --from-file` usually ends with a newline.
  const token = data[WEBHOOK_TOKEN_KEY]?.trim();
  if (token === undefined || token === '')
    return { ok: false, message: `${where} has no key ${WEBHOOK_TOKEN_KEY}, or it is empty` };
  if (!HEADER_SAFE.test(token)) {
    return {
      ok: false,
      message: `${where}: key ${WEBHOOK_TOKEN_KEY} is not a bearer token (visible ASCII without spaces)`,
    };
  }
  return token;
}
