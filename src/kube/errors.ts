// Errors from the API server, mapped to the few cases callers act on. Only src/kube creates them.

/** What a failed API call means to its caller. */
export type KubeErrorReason =
  'NotFound' | 'Conflict' | 'AlreadyExists' | 'Invalid' | 'Forbidden' | 'Gone' | 'Transient' | 'Other';

/** A failed call to the API server: the HTTP status, the Status reason and the server's message. */
export class KubeApiError extends Error {
  readonly reason: KubeErrorReason;
  readonly code: number;

  constructor(reason: KubeErrorReason, code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KubeApiError';
    this.reason = reason;
    this.code = code;
  }
}

/** The body of an API server error response (a metav1.Status). */
export interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
  code?: number;
}

/** Maps an HTTP status and Status body to a KubeApiError. */
export function errorFromResponse(code: number, body: StatusBody | undefined, what: string): KubeApiError {
  const message = `${what}: ${body?.message ?? `HTTP ${code}`}`;
  return new KubeApiError(reasonFor(code, body?.reason), code, message);
}

function reasonFor(code: number, statusReason: string | undefined): KubeErrorReason {
  if (code === 404) return 'NotFound';
  if (code === 409) return statusReason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict';
  if (code === 422 || code === 400) return 'Invalid';
  if (code === 401 || code === 403) return 'Forbidden';
  if (code === 410) return 'Gone';
  if (code === 429 || code >= 500) return 'Transient';
  return 'Other';
}

/** Wraps a network-level failure (refused connection, reset, timeout) as a transient error. */
export function transportError(err: unknown, what: string): KubeApiError {
  const detail = err instanceof Error ? err.message : String(err);
  return new KubeApiError('Transient', 0, `${what}: ${detail}`, { cause: err });
}

function hasReason(err: unknown, reason: KubeErrorReason): boolean {
  return err instanceof KubeApiError && err.reason === reason;
}

export const isNotFound = (err: unknown): boolean => hasReason(err, 'NotFound');
export const isConflict = (err: unknown): boolean => hasReason(err, 'Conflict');
export const isAlreadyExists = (err: unknown): boolean => hasReason(err, 'AlreadyExists');
export const isInvalid = (err: unknown): boolean => hasReason(err, 'Invalid');
export const isGone = (err: unknown): boolean => hasReason(err, 'Gone');
export const isTransient = (err: unknown): boolean => hasReason(err, 'Transient');
