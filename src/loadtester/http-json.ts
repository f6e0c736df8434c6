// The one HTTP helper of the concord and ngrinder clients: a request with a per-call timeout that returns the
// JSON object answered, or throws with the status and body when the server did not answer 2xx with JSON.

/** Flagger's concord client waits at most 60s for one answer. */
export const REQUEST_TIMEOUT_MS = 60_000;
const MAX_ERROR_BODY = 512;

export interface JsonRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal: AbortSignal;
}

export async function requestJson(request: JsonRequest): Promise<Record<string, unknown>> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined && { body: request.body }),
    signal: AbortSignal.any([request.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
  });
  const text = await response.text();
  const what = `${request.method} ${request.url.href}`;
  if (!response.ok) throw new Error(`${what} answered ${response.status}: ${text.slice(0, MAX_ERROR_BODY)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${what} answered a body that is not JSON: ${text.slice(0, MAX_ERROR_BODY)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${what} answered JSON that is not an object: ${text.slice(0, MAX_ERROR_BODY)}`);
  return parsed as Record<string, unknown>;
}

/** The message of a thrown value, for logs and answers. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
