// One watch stream: a GET with watch=true whose body is one JSON event per line. Written here rather than taken
// from the official client's Watch so that a watch can ask for metadata only (an Accept header that Watch cannot
// set), a failed start is a typed KubeApiError (410 Gone included), and silence has one limit we choose.
import { fetch, type Dispatcher } from 'undici';
import { errorFromResponse, transportError, type StatusBody } from './errors.ts';

export interface WatchStreamRequest {
  url: URL;
  headers: Record<string, string>;
  dispatcher?: Dispatcher;
  /** Silence longer than this ends the stream with a TimeoutError. */
  silenceLimitMs: number;
  /** Names the watch in errors, e.g. "watch Deployment". */
  what: string;
}

export interface WatchStreamCallbacks {
  onEvent: (type: string, object: unknown) => void;
  /** Called once: undefined when the server closed the stream, else why it ended. */
  onDone: (err: unknown) => void;
}

/** Opens the stream; resolves once it is open (or has failed, through onDone) with a function that aborts it. */
export async function openWatchStream(
  request: WatchStreamRequest,
  { onEvent, onDone }: WatchStreamCallbacks,
): Promise<() => void> {
  const controller = new AbortController();
  let ended = false;
  let silence: NodeJS.Timeout | undefined;
  const end = (err: unknown) => {
    clearTimeout(silence);
    if (ended) return;
    ended = true;
    controller.abort();
    onDone(err);
  };
  const listen = () => {
    clearTimeout(silence);
    silence = setTimeout(() => {
      const err = new Error(`${request.what}: silent for over ${String(request.silenceLimitMs / 1000)}s`);
      end(Object.assign(err, { name: 'TimeoutError' }));
    }, request.silenceLimitMs);
    silence.unref();
  };
  const abort = () => {
    clearTimeout(silence);
    ended = true;
    controller.abort();
  };
  listen();
  try {
    const response = await fetch(request.url, {
      headers: request.headers,
      dispatcher: request.dispatcher,
      signal: controller.signal,
    });
    if (response.status !== 200) {
      const body = (await response.json().catch(() => undefined)) as StatusBody | undefined;
      end(errorFromResponse(response.status, body, request.what));
      return abort;
    }
    void readLines(response.body, line => {
      if (ended) return;
      listen();
      const event = JSON.parse(line) as { type: string; object: unknown };
      onEvent(event.type, event.object);
    }).then(
      () => end(undefined),
      (err: unknown) => end(ended ? undefined : transportError(err, request.what)),
    );
  } catch (err) {
    end(transportError(err, request.what));
  }
  return abort;
}

/** Calls onLine for each complete line of the stream. */
async function readLines(
  body: ReadableStream<Uint8Array> | null,
  onLine: (line: string) => void,
): Promise<void> {
  if (body === null) return;
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') onLine(line);
      newline = pending.indexOf('\n');
    }
  }
}
