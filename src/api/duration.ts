// Go-compatible durations. Flagger reads analysis intervals, metric intervals and webhook timeouts with Go's
// time.ParseDuration and prints measured durations with time.Duration.String, so both are reproduced here
// exactly (units ns, us, µs, ms, s, m, h; fractions; a sign; a bare "0").

const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu, which Go accepts too
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const NANOS_PER_MS = 1e6;
// Go durations are int64 nanoseconds; anything larger does not parse.
const MAX_NANOS = 2 ** 63 - 1;

const COMPONENT = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;

/** Parses a Go duration string ("1m30s", "1.5h", "250ms") into milliseconds; undefined when Go would reject it. */
export function parseDuration(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  if (body === '0') return 0;
  if (body === '') return undefined;
  COMPONENT.lastIndex = 0;
  let nanos = 0;
  let consumed = 0;
  for (let match = COMPONENT.exec(body); match !== null; match = COMPONENT.exec(body)) {
    const [whole, amount = '', unit = ''] = match;
    const [integer = '', fraction = ''] = amount.split('.');
    const unitNanos = NANOS_PER_UNIT[unit] ?? Number.NaN;
    // Like Go: whole units exactly, the fraction truncated to a whole nanosecond.
    nanos += Number(integer) * unitNanos + fractionNanos(fraction, unitNanos);
    consumed += whole.length;
  }
  if (consumed !== body.length || !(nanos <= MAX_NANOS)) return undefined;
  return (sign * nanos) / NANOS_PER_MS;
}

/**
 * The nanoseconds of a fraction's digits, computed as Go computes them: float64(digits) * (unit / 10^n),
 * truncated. Reading "0.<digits>" as one float instead gives 34199999999ns for 0.57m where Go gives 34.2s.
 * Go keeps only the digits that fit an int64, not counting leading zeros, and skips the rest.
 */
function fractionNanos(fraction: string, unitNanos: number): number {
  const significant = fraction.replace(/^0+/, '');
  const kept =
    significant.length > 18 && BigInt(significant.slice(0, 19)) <= 2n ** 63n
      ? significant.slice(0, 19)
      : significant.slice(0, 18);
  const scale = Number(`1e${fraction.length - significant.length + kept.length}`);
  return Math.trunc(Number(kept) * (unitNanos / scale));
}

/** Formats milliseconds the way Go's time.Duration.String does: "0s", "500ms", "1.515s", "1m30s", "1h0m0s". */
export function formatDuration(ms: number): string {
  // Never a throw for values no Go duration can hold (e.g. a plan's threshold × interval, a metric's value):
  // BigInt() refuses Infinity and NaN, which are printed as they are, and ms beyond 1.8e302 overflow in ns.
  if (!Number.isFinite(ms)) return String(ms);
  const nanos = ms * NANOS_PER_MS;
  const total = Number.isFinite(nanos)
    ? BigInt(Math.round(nanos))
    : BigInt(Math.round(ms)) * BigInt(NANOS_PER_MS);
  const negative = total < 0n;
  const magnitude = negative ? -total : total;
  const text = magnitude < 1_000_000_000n ? formatSubSecond(magnitude) : formatClock(magnitude);
  return negative ? `-${text}` : text;
}

function formatSubSecond(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  if (nanos < 1_000n) return `${nanos}ns`;
  if (nanos < 1_000_000n) return `${decimal(nanos, 3)}µs`;
  return `${decimal(nanos, 6)}ms`;
}

function formatClock(nanos: bigint): string {
  const seconds = `${decimal(nanos % 60_000_000_000n, 9)}s`;
  const minutes = (nanos / 60_000_000_000n) % 60n;
  const hours = nanos / 3_600_000_000_000n;
  if (hours > 0n) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${minutes}m${seconds}`;
  return seconds;
}

/** value / 10^digits as a decimal string without trailing zeros ("1.5", "2"). */
function decimal(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const fraction = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  const integer = (value / scale).toString();
  return fraction === '' ? integer : `${integer}.${fraction}`;
}
