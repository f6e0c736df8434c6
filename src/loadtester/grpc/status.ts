// gRPC status codes and errors written the way grpc-go writes them (codes.Code.String, status.Error.Error), which
// is how ghz and grpc_health_probe report them.
import type { ServiceError } from '@grpc/grpc-js';

// Indexed by code: OK is 0, UNAUTHENTICATED 16.
const GO_CODE_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

/** "NotFound" for 5; grpc-go prints an unknown code as "Code(17)". */
export function goCodeName(code: number): string {
  return GO_CODE_NAMES[code] ?? `Code(${code})`;
}

/** `rpc error: code = NotFound desc = unknown service`. */
export function goStatusError(err: { code: number; details: string }): string {
  return `rpc error: code = ${goCodeName(err.code)} desc = ${err.details}`;
}

/** Whether a callback's error is a gRPC status (grpc-js rejects calls with an Error carrying `code`). */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}
