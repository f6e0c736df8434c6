// One HTTP request with a deadline, for the plugins that speak HTTP to other services (metric providers,
// notifiers): errors name the service and never hold a URL or a header, because URLs may carry an account id or a
// webhook secret and headers carry keys.
import { Agent, fetch, type Dispatcher } from 'undici';

/** Flagger's timeout for HTTP providers and notifiers. */
export const HTTP_TIMEOUT_MS = 5_000;

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
    return { status: response.status, body: await response.text() };
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
    throw new Error(`${query.provider} error response: HTTP ${answer.status}: ${answer.body}`);
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
    throw new Error(`${query.provider} error unmarshaling result: ${describeFailure(err)}, '${body}'`, {
      cause: err,
    });
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
    throw new Error(`${type} address ${address ?? ''} is not a valid URL`);
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

/** The useful part of a failure: undici hides the socket error in `cause`. */
export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return 'timeout exceeded';
  const cause: unknown = err.cause;
  return cause instanceof Error ? cause.message : err.message;
}
