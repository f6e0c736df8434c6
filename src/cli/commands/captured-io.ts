// For the CLI's unit tests: an Io whose output and error streams are kept as text.
import type { Io } from './common.ts';

export function capture(): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { out: { write: t => (out += t) }, err: { write: t => (err += t) }, env: {} },
    out: () => out,
    err: () => err,
  };
}
