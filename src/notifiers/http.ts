// The one HTTP call every notifier makes (Flagger's postMessage): a JSON POST with a deadline, optionally through a
// proxy, where any 2xx answer is success. Error texts never hold the URL: webhook URLs are credentials.
import { ProxyAgent, Socks5ProxyAgent, type Dispatcher } from 'undici';
import { sendExpecting } from '../util/http.ts';
import { redactUrl } from '../util/redact.ts';
import { NOTIFIER_TIMEOUT_MS } from './types.ts';

/**
 * JSON as Go's encoding/json writes it, so receivers see the bytes Flagger sends: `<`, `>` and `&` (HTML-safe
 * escaping) and U+2028/U+2029 become \u escapes. They only ever occur inside strings, where the escape is valid.
 * Keys come out in insertion order, which the payload builders keep equal to Flagger's struct field order.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The hook URL of a chat service; throws "invalid <service> hook URL" (Flagger's constructor check). */
export function hookUrl(service: string, address: string): URL {
  const url = URL.canParse(address) ? new URL(address) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(`invalid ${service} hook URL`);
  }
  return url;
}

// Notifiers are built per alert; one dispatcher per proxy URL keeps their connections pooled instead of leaked.
const proxies = new Map<string, Dispatcher>();

/**
 * The dispatcher for a proxy URL (undefined for none). http and https proxies forward plain-HTTP requests and
 * tunnel HTTPS ones with CONNECT, as Go's transport does; socks5 is Go's other proxy scheme. A URL without a scheme
 * means http (the docs show `--set slack.proxy=my-http-proxy.com`), where Go would fail every post.
 */
export function proxyDispatcher(proxy: string | undefined): Dispatcher | undefined {
  if (proxy === undefined || proxy === '') return undefined;
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
  const cached = proxies.get(text);
  if (cached !== undefined) return cached;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  let dispatcher: Dispatcher;
  if (url?.protocol === 'http:' || url?.protocol === 'https:') {
    dispatcher = new ProxyAgent({ uri: text });
  } else if (url?.protocol === 'socks5:' || url?.protocol === 'socks5h:') {
    dispatcher = new Socks5ProxyAgent(url);
  } else {
    throw new Error(`unable to parse proxy URL '${redactUrl(proxy)}'`);
  }
  proxies.set(text, dispatcher);
  return dispatcher;
}

/** Closes the pooled proxy connections (for tests and shutdown). */
export async function closeProxyDispatchers(): Promise<void> {
  const all = [...proxies.values()];
  proxies.clear();
  await Promise.all(all.map(dispatcher => dispatcher.close()));
}

export interface PostRequest {
  /** The service, named in errors ("slack error response: HTTP 404: ..."). */
  service: string;
  url: URL;
  payload: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
  dispatcher?: Dispatcher | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** POSTs the payload; returns the answer's body, throws on a transport error, the deadline or a non-2xx answer. */
export async function postMessage(request: PostRequest): Promise<string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (request.token !== undefined && request.token !== '') {
    headers.Authorization = `Bearer ${request.token}`;
  }
  return sendExpecting(
    {
      provider: request.service,
      url: request.url,
      method: 'POST',
      headers,
      body: goJson(request.payload),
      timeoutMs: request.timeoutMs ?? NOTIFIER_TIMEOUT_MS,
      signal: request.signal,
      dispatcher: request.dispatcher,
    },
    status => status >= 200 && status < 300,
  );
}
