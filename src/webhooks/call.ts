// One webhook call: POST the payload as JSON, retrying like the go-retryablehttp client Flagger uses.
import { STATUS_CODES } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';
import type { CanaryWebhook } from '../api/canary.ts';
import { webhookRetries, webhookTimeoutMs } from '../api/defaults.ts';
import { formatDuration } from '../api/duration.ts';
import { excerpt, readBody, ResponseTooLargeError } from '../util/http.ts';
import { redactUrl, redactUrls } from '../util/redact.ts';
import type { HookResult, WebhookPayload } from './types.ts';

// go-retryablehttp's defaults, which Flagger keeps: waits of 1s, 2s, 4s, ... capped at 30s.
const RETRY_WAIT_MIN_MS = 1_000;
const RETRY_WAIT_MAX_MS = 30_000;
// Flagger accepts 200-202 only: 203 and the rest of 2xx count as failures.
const LAST_SUCCESS_STATUS = 202;
const NOT_IMPLEMENTED = 501;
const TOO_MANY_REQUESTS = 429;
const SERVICE_UNAVAILABLE = 503;

// Certificate problems do not go away on a retry (go-retryablehttp does not retry an unknown authority either).
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

type Attempt =
  | { kind: 'response'; status: number; statusLine: string; body: string; retryAfter: string | null }
  | { kind: 'error'; message: string; retriable: boolean };

interface HookRequest {
  target: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  dispatcher: Agent | undefined;
}

/** What a call authenticates with besides a URL's user info (extension: a webhook's secretRef). */
export interface HookCredentials {
  /** Sent as `Authorization: Bearer`; fetch drops it when a redirect leaves the origin, as Go's client does. */
  bearerToken?: string;
}

let insecureAgent: Agent | undefined;

/** The `disableTLS` dispatcher (Flagger's InsecureSkipVerify), shared by every such call. */
function dispatcherFor(hook: Pick<CanaryWebhook, 'disableTLS'>): Agent | undefined {
  if (hook.disableTLS !== true) return undefined;
  insecureAgent ??= new Agent({ connect: { rejectUnauthorized: false } });
  return insecureAgent;
}

/**
 * POSTs `payload` to `hook.url`. Success is a status of at most 202; otherwise the message is the response body
 * (trimmed, its start when long), or the status line when the body is empty. Each attempt gets the hook's timeout
 * (Flagger sets it as the HTTP client timeout, so it covers one attempt, redirects and body included); transport
 * errors, timeouts, 429 and 5xx except 501 are retried up to `hook.retries` times. A body beyond
 * MAX_RESPONSE_BYTES fails the call unread.
 *
 * Redirects are followed as Go's client follows them: 301, 302 and 303 turn the POST into a GET without body,
 * 307 and 308 repeat the POST. fetch stops after 20 hops where Go stops after 10; both fail the call then, and
 * the attempt's timeout bounds either.
 */
export async function callWebhook(
  hook: CanaryWebhook,
  payload: WebhookPayload,
  credentials: HookCredentials = {},
): Promise<HookResult> {
  const url = parseHookUrl(hook.url);
  if (typeof url === 'string') return { ok: false, message: url };
  const request: HookRequest = {
    target: withoutCredentials(url),
    headers: {
      'content-type': 'application/json',
      ...(credentials.bearerToken === undefined
        ? basicAuth(url)
        : { authorization: `Bearer ${credentials.bearerToken}` }),
    },
    body: JSON.stringify(payload),
    timeoutMs: webhookTimeoutMs(hook),
    dispatcher: dispatcherFor(hook),
  };
  const retries = webhookRetries(hook);
  for (let attempt = 0; ; attempt++) {
    const outcome = await post(request);
    if (attempt >= retries || !shouldRetry(outcome)) return resultOf(outcome, url, attempt + 1);
    await sleep(backoffMs(attempt, outcome));
  }
}

/** The URL to call, or why it cannot be called (neither is retried, as in go-retryablehttp). */
function parseHookUrl(text: string): URL | string {
  if (!URL.canParse(text)) return `invalid webhook URL "${redactUrl(text)}"`;
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `unsupported protocol scheme "${url.protocol.slice(0, -1)}"`;
  }
  return url;
}

/**
 * Go sends a URL's user info as a Basic Authorization header, so hooks written as http://user:pass@host/ work
 * with Flagger; fetch refuses such URLs, so the credentials move to the header here.
 */
function basicAuth(url: URL): Record<string, string> {
  if (url.username === '' && url.password === '') return {};
  const credentials = `${decoded(url.username)}:${decoded(url.password)}`;
  return { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** Percent-decoded user info; a malformed escape is sent as written. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function withoutCredentials(url: URL): URL {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  return copy;
}

async function post({ target, headers, body, timeoutMs, dispatcher }: HookRequest): Promise<Attempt> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers,
      body,
      signal,
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
    const text = await readBody(response);
    const statusLine = `${response.status} ${response.statusText || (STATUS_CODES[response.status] ?? '')}`;
    return {
      kind: 'response',
      status: response.status,
      statusLine: statusLine.trim(),
      body: text.trim(),
      retryAfter: response.headers.get('retry-after'),
    };
  } catch (error) {
    // The timeout aborts the request or the body read; either way the attempt timed out (and is retried).
    if (signal.aborted) {
      return { kind: 'error', message: `timed out after ${formatDuration(timeoutMs)}`, retriable: true };
    }
    // An answer too large to read fails the call whatever its status; like a redirect loop, no retry mends it.
    if (error instanceof ResponseTooLargeError)
      return { kind: 'error', message: error.message, retriable: false };
    return transportError(error);
  }
}

/** undici reports "fetch failed" and puts the reason (a Node system or TLS error) in `cause`. */
function transportError(error: unknown): Attempt {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = errorCode(cause);
  return {
    kind: 'error',
    message: describe(cause, code),
    retriable: code === undefined ? !isRedirectLoop(cause) : !CERTIFICATE_ERRORS.has(code),
  };
}

/** fetch gave up following redirects; go-retryablehttp does not retry Go's "stopped after 10 redirects" either. */
function isRedirectLoop(error: unknown): boolean {
  return error instanceof Error && error.message === 'redirect count exceeded';
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function describe(error: unknown, code: string | undefined): string {
  // A connection to a name with several addresses fails with an AggregateError whose own message is empty.
  const message =
    error instanceof AggregateError && error.message === ''
      ? error.errors.map(e => (e instanceof Error ? e.message : String(e))).join('; ')
      : error instanceof Error
        ? error.message
        : String(error);
  const shown = redactUrls(message);
  return code === undefined || shown.includes(code) ? shown : `${shown} (${code})`;
}

function shouldRetry(outcome: Attempt): boolean {
  if (outcome.kind === 'error') return outcome.retriable;
  return (
    outcome.status === TOO_MANY_REQUESTS || (outcome.status >= 500 && outcome.status !== NOT_IMPLEMENTED)
  );
}

/** go-retryablehttp's DefaultBackoff: Retry-After on 429 and 503, else exponential from 1s. */
function backoffMs(attempt: number, outcome: Attempt): number {
  const exponential = Math.min(RETRY_WAIT_MIN_MS * 2 ** attempt, RETRY_WAIT_MAX_MS);
  if (outcome.kind !== 'response' || outcome.retryAfter === null) return exponential;
  if (outcome.status !== TOO_MANY_REQUESTS && outcome.status !== SERVICE_UNAVAILABLE) return exponential;
  const requested = retryAfterMs(outcome.retryAfter);
  // Unlike go-retryablehttp, a server cannot stall the canary's tick for longer than the longest backoff.
  return requested === undefined ? exponential : Math.min(requested, RETRY_WAIT_MAX_MS);
}

/** Retry-After as delay-seconds or an HTTP date. */
function retryAfterMs(value: string): number | undefined {
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function resultOf(outcome: Attempt, url: URL, attempts: number): HookResult {
  if (outcome.kind === 'response') {
    if (outcome.status <= LAST_SUCCESS_STATUS) return { ok: true };
    // Fixes a Flagger detail: go-retryablehttp drops the body of a retried status (5xx, 429) once it gives up,
    // so Flagger reports "giving up after n attempt(s)"; we report the body, as the docs promise.
    return { ok: false, message: outcome.body === '' ? outcome.statusLine : excerpt(outcome.body) };
  }
  // go-retryablehttp's wording, so messages read like Flagger's; go-retryablehttp hides only the password, we
  // also hide the user name and the query values, where hooks often carry their token.
  return {
    ok: false,
    message: `POST ${redactUrl(url)} giving up after ${attempts} attempt(s): ${outcome.message}`,
  };
}
