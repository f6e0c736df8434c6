// The faults of the provider fault matrix: what each one does on the wire, and the verdict every provider must
// reach under it (fail closed: a metric check fails, a notifier reports an error, within the provider's own
// deadline and reading a bounded answer).
import type { Behaviour } from '../../harness/bad-server.ts';

export const FAULTS = ['hang', '5xx', '429', 'malformed', 'huge', 'endless', 'nan', 'empty'] as const;
export type Fault = (typeof FAULTS)[number];

/** The faults a plain HTTP server shows; NaN and empty answers are each provider's own. */
export type HttpFault = Exclude<Fault, 'nan' | 'empty'>;

/** The faults a notifier meets: it has no values to be NaN or empty. */
export const NOTIFIER_FAULTS: readonly HttpFault[] = ['hang', '5xx', '429', 'malformed', 'huge', 'endless'];

/** The column titles and what each fault is, for the README. */
export const FAULT_TITLES: Record<Fault, { title: string; what: string }> = {
  hang: { title: 'timeout', what: 'reads the request and never answers' },
  '5xx': { title: '5xx', what: '503 with a short text body' },
  '429': { title: '429', what: '429 with `Retry-After: 3600`' },
  malformed: {
    title: 'malformed',
    what: "metrics: 200 with bytes that are not the API's format; notifiers: a 200 cut off mid-body (any complete 2xx is a delivered message)",
  },
  huge: { title: 'huge', what: '200 and a 20 MiB body (no Content-Length), or one 20 MiB WebSocket message' },
  endless: { title: 'endless', what: 'a 200 whose body (or WebSocket stream) never ends' },
  nan: {
    title: 'NaN',
    what: "the provider's not-a-number value (null where its JSON numbers cannot be NaN)",
  },
  empty: { title: 'empty', what: 'a well-formed answer without any value' },
};

export const HUGE_BYTES = 20 * 1024 * 1024;
export const RETRY_AFTER_S = 3600;

/** Bytes that are no API's format: not UTF-8, not JSON, not CSV. */
export const GARBAGE = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));

/** The fault as a plain HTTP server shows it; NaN and empty answers are the provider's own. */
export function httpFault(
  fault: Exclude<Fault, 'nan' | 'empty'>,
  family: 'metrics' | 'notifiers',
): Behaviour {
  switch (fault) {
    case 'hang':
      return { kind: 'hang' };
    case '5xx':
      return { kind: 'answer', status: 503, body: 'upstream unavailable' };
    case '429':
      return {
        kind: 'answer',
        status: 429,
        headers: { 'retry-after': String(RETRY_AFTER_S) },
        body: 'slow down',
      };
    case 'malformed':
      return family === 'notifiers'
        ? { kind: 'cut', promised: 1000, body: '{"ok":' }
        : { kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: GARBAGE };
    case 'huge':
      return { kind: 'huge', bytes: HUGE_BYTES };
    case 'endless':
      return { kind: 'endless' };
  }
}
