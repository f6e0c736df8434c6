// One HTTP request with a deadline, for the plugins that speak HTTP to other services (metric providers,
// notifiers): errors name the service and never hold a URL or a header, because URLs may carry an account id or a
// webhook secret and headers carry keys.
import { Agent, fetch, type Dispatcher, type Response } from 'undici';
import { redactUrl, redactUrls } from './redact.ts';

/** Flagger's timeout for HTTP providers and notifiers. */
export const HTTP_TIMEOUT_MS = 5_000;

/**
 * Most bytes of an answer that are read. Flagger reads whole answers until its deadline, so a server streaming
 * without end fills memory at the speed of the network; no metric, hook or chat answer comes near this.
 */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** Most characters of an answer quoted in an error: errors end up in events, logs and the Canary's status. */
export const MAX_QUOTED_CHARS = 2_048;

export interface HttpQuery {
  /** The service (a provider type, a notifier), named in every error. */
  provider: string;
  url: URL;
  method?: 'GET' | 'POST';
  headers?: Readonly<Record<string, string>>;
  body?: string;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  /** HTTP seam for tests and for insecureSkipVerify; undici's global dispatcher by default. */
  dispatcher?: Dispatcher | undefined;
}

interface HttpAnswer {
  status: number;
  body: string;
}

/** Sends one request and reads the whole body; a request that cannot be sent or times out throws. */
async function send(query: HttpQuery): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(query.timeoutMs ?? HTTP_TIMEOUT_MS);
  try {
    const response = await fetch(query.url, {
      method: query.method ?? 'GET',
      ...(query.headers !== undefined && { headers: { ...query.headers } }),
      ...(query.body !== undefined && { body: query.body }),
      signal: query.signal === undefined ? timeout : AbortSignal.any([query.signal, timeout]),
      ...(query.dispatcher !== undefined && { dispatcher: query.dispatcher }),
    });
    return { status: response.status, body: await readBody(response) };
  } catch (err) {
    throw new Error(`${query.provider} request failed: ${describeFailure(err)}`, { cause: err });
  }
}

/** The body of an accepted answer (200 unless told otherwise); any other status is an error with the body. */
export async function sendExpecting(
  query: HttpQuery,
  accepted: (status: number) => boolean = status => status === 200,
): Promise<string> {
  const answer = await send(query);
  if (!accepted(answer.status)) {
    throw new Error(`${query.provider} error response: HTTP ${answer.status}: ${excerpt(answer.body)}`);
  }
  return answer.body;
}

/** An accepted answer's body parsed as JSON; Flagger's "error unmarshaling result" for anything else. */
export async function getJson(
  query: HttpQuery,
  accepted?: (status: number) => boolean,
): Promise<{ json: unknown; body: string }> {
  const body = await sendExpecting(query, accepted);
  try {
    return { json: JSON.parse(body) as unknown, body };
  } catch (err) {
    throw new Error(
      `${query.provider} error unmarshaling result: ${describeFailure(err)}, '${excerpt(body)}'`,
      { cause: err },
    );
  }
}

/** Flagger's IsOnline for the providers that call a validation endpoint: online when it answers 200. */
export async function answersOk(query: HttpQuery): Promise<boolean> {
  try {
    return (await send(query)).status === 200;
  } catch {
    return false;
  }
}

/** An http(s) base URL; a trailing slash is dropped so that API paths can be appended. */
export function httpAddress(type: string, address: string | undefined): URL {
  const url = address !== undefined && URL.canParse(address) ? new URL(address) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`${type} address ${redactUrl(address ?? '')} is not a valid URL`);
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

/** `base` with `path` appended to its path and the given query parameters. */
export function endpoint(base: URL, path: string, params?: Readonly<Record<string, string>>): URL {
  const url = new URL(base);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  if (params !== undefined) url.search = new URLSearchParams(params).toString();
  return url;
}

export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

// One shared pool for every client that skips TLS verification: providers are built per check, and an agent
// per provider would leave its idle connections behind.
let insecure: Agent | undefined;

export function insecureAgent(): Agent {
  insecure ??= new Agent({ connect: { rejectUnauthorized: false } });
  return insecure;
}

/** An answer larger than the limit: its reading was stopped and the connection closed. */
export class ResponseTooLargeError extends Error {
  constructor(limit: number) {
    super(
      `response body larger than ${limit % 1024 ** 2 === 0 ? `${limit / 1024 ** 2} MiB` : `${limit} bytes`}`,
    );
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * The body as text (UTF-8, as Response.text() decodes it), read up to `limit` bytes: beyond it, or when the
 * announced length is beyond it, reading stops, the stream is cancelled (which closes the connection) and it
 * throws ResponseTooLargeError. The request's signal still bounds the time it takes.
 */
export async function readBody(response: Response, limit: number = MAX_RESPONSE_BYTES): Promise<string> {
  const body = response.body;
  if (body === null) return '';
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await body.cancel();
    throw new ResponseTooLargeError(limit);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Leaving the loop by the throw cancels the stream.
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw new ResponseTooLargeError(limit);
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** `text` cut to `max` characters, saying how much was left out. */
export function excerpt(text: string, max: number = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/**
 * The useful part of a failure: undici hides the socket error in `cause`. Some of undici's messages quote the
 * URL ("Request cannot be constructed from a URL that includes credentials: <url>"): only its scheme and host
 * are kept, since a chat webhook's path is its secret.
 */
export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return redactUrls(String(err), { keepPath: false });
  if (err.name === 'TimeoutError') return 'timeout exceeded';
  const cause: unknown = err.cause;
  return redactUrls(cause instanceof Error ? cause.message : err.message, { keepPath: false });
}
