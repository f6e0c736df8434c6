// Go's strconv readers of command-line values (ParseBool, ParseInt, ParseUint) and its Quote, with the errors Go
// reports: a value Flagger's Go binary refuses is refused here, in the same words.

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

const BASE_PREFIXES: Readonly<Record<string, bigint>> = { b: 2n, o: 8n, x: 16n };

/** Go's strconv.NumError causes. */
export type NumError = 'invalid syntax' | 'value out of range';

/** strconv.ParseBool: exactly 1 0 t f T F true false TRUE FALSE True False. */
export function parseBool(text: string): boolean | 'invalid syntax' {
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  return 'invalid syntax';
}

/**
 * strconv.ParseUint. Base 0 reads Go's literal syntax: a 0x, 0o or 0b prefix, a leading 0 for octal, and `_`
 * between digits; base 10 only decimal digits. No sign.
 */
export function parseUint(text: string, base: 0 | 10, bitSize: number): bigint | NumError {
  if (text === '') return 'invalid syntax';
  let radix = 10n;
  let digits = text;
  if (base === 0 && text.startsWith('0')) {
    const prefix = text.length >= 3 ? BASE_PREFIXES[text.charAt(1).toLowerCase()] : undefined;
    radix = prefix ?? 8n;
    digits = text.slice(prefix === undefined ? 1 : 2);
  }
  const max = (1n << BigInt(bitSize)) - 1n;
  let n = 0n;
  let underscores = false;
  // One digit at a time, as Go does: a syntax error after an overflow is reported as the overflow.
  for (const c of digits) {
    if (c === '_' && base === 0) {
      underscores = true;
      continue;
    }
    const digit = /^[0-9a-z]$/i.test(c) ? BigInt(parseInt(c, 36)) : radix;
    if (digit >= radix) return 'invalid syntax';
    n = n * radix + digit;
    if (n > max) return 'value out of range';
  }
  if (underscores && !underscoresBetweenDigits(text)) return 'invalid syntax';
  return n;
}

/** strconv.ParseInt: an optional sign, then what parseUint reads, within bitSize bits. */
export function parseInt64(text: string, base: 0 | 10, bitSize = 64): bigint | NumError {
  const negative = text.startsWith('-');
  const unsigned = parseUint(/^[+-]/.test(text) ? text.slice(1) : text, base, bitSize);
  if (typeof unsigned === 'string') return unsigned;
  const limit = 1n << BigInt(bitSize - 1);
  if (negative ? unsigned > limit : unsigned >= limit) return 'value out of range';
  return negative ? -unsigned : unsigned;
}

/** The text of a strconv.NumError: `strconv.ParseInt: parsing "x": invalid syntax`. */
export function numErrorText(
  func: 'ParseInt' | 'ParseUint' | 'ParseBool',
  text: string,
  cause: NumError,
): string {
  return `strconv.${func}: parsing ${quote(text)}: ${cause}`;
}

/** Go's underscoreOK: each `_` sits between digits (a base prefix counts as one), never at either end. */
function underscoresBetweenDigits(text: string): boolean {
  const body = text.replace(/^[+-]/, '');
  const prefixed = /^0[box]/i.test(body);
  const digit = /^0x/i.test(body) ? /[0-9a-f]/i : /[0-9]/;
  let last: 'start' | 'digit' | 'underscore' | 'other' = prefixed ? 'digit' : 'start';
  for (const c of prefixed ? body.slice(2) : body) {
    if (digit.test(c)) last = 'digit';
    else if (c === '_') {
      if (last !== 'digit') return false;
      last = 'underscore';
    } else if (last === 'underscore') return false;
    else last = 'other';
  }
  return last !== 'underscore';
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** strconv.Quote (fmt's %q): printable characters as they are, the rest escaped as Go escapes them. */
export function quote(text: string): string {
  let out = '"';
  for (const c of text) {
    const escaped = ESCAPES[c];
    const code = c.codePointAt(0) ?? 0;
    if (escaped !== undefined) out += escaped;
    else if (c === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c)) out += c;
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
