// Building blocks of semantic validation: the Problem type and checks shared by several fields.
import { redactUrl } from '../util/redact.ts';
import { parseDuration } from './duration.ts';

/** One reason an object cannot be used as written. `message` starts with `field`. */
export interface Problem {
  /** JSON path of the offending field, e.g. spec.analysis.stepWeights[1]. */
  field: string;
  message: string;
}

export function problem(field: string, rule: string): Problem {
  return { field, message: `${field} ${rule}` };
}

/**
 * Whole numbers in [min, max]. Flagger stores these fields as Go ints, so a fraction (or a number as large as
 * 1e300) would make the whole object undecodable for it; we reject it up front. Safe integers only: beyond
 * 2^53 a JSON number is not even read exactly, and products such as threshold × interval overflow.
 */
export function checkInteger(
  field: string,
  value: number | undefined,
  range: { min: number; max?: number },
): Problem[] {
  if (value === undefined) return [];
  const { min, max } = range;
  const wanted = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  const ok = Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max);
  return ok ? [] : [problem(field, `must be ${wanted}, got ${value}`)];
}

/** A positive Go duration such as 30s, 1m or 1m30s. */
export function checkDuration(field: string, value: string | undefined): Problem[] {
  if (value === undefined) return [];
  const ms = parseDuration(value);
  if (ms === undefined)
    return [problem(field, `must be a Go duration such as 30s, 1m or 1m30s, got "${value}"`)];
  return ms > 0 ? [] : [problem(field, `must be longer than 0, got "${value}"`)];
}

/** An absolute URL whose scheme is one of `schemes` (default http and https). */
export function checkUrl(field: string, value: string | undefined, schemes = ['http', 'https']): Problem[] {
  if (value === undefined) return [];
  const url = URL.parse(value);
  if (url === null || !schemes.includes(url.protocol.slice(0, -1)) || url.host === '') {
    return [problem(field, `must be an absolute ${schemes.join(' or ')} URL, got "${redactUrl(value)}"`)];
  }
  return [];
}
