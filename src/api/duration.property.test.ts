// Property tests of the Go durations: parseDuration agrees with an independent model of Go's time.ParseDuration on
// any string, and formatDuration/parseDuration round-trip every Go duration. A failure prints the FC_SEED that
// replays it (test/harness/fast-check.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fc } from '../../test/harness/fast-check.ts';
import { formatDuration, parseDuration } from './duration.ts';

const MAX_INT64 = 2n ** 63n - 1n;
// A Map, not an object: a unit such as "__proto__" or "constructor" must be unknown, not Object.prototype's.
const UNIT_NANOS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['μs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** One component of a Go duration as Go's lexer splits it: digits, an optional fraction, then the unit. */
const GO_COMPONENT = /([0-9]*)(\.?)([0-9]*)([^0-9.]*)/uy;

/** The oracle: Go's time.ParseDuration step by step, in exact nanoseconds (float64 only where Go uses it). */
function goParseDuration(text: string): bigint | undefined {
  const negative = text.startsWith('-');
  const body = negative || text.startsWith('+') ? text.slice(1) : text;
  if (body === '0') return 0n;
  if (body === '') return undefined;
  let total = 0n;
  GO_COMPONENT.lastIndex = 0;
  while (GO_COMPONENT.lastIndex < body.length) {
    const [, integer = '', , fraction = '', unit = ''] = GO_COMPONENT.exec(body) ?? [];
    if (integer === '' && fraction === '') return undefined; // no digits, e.g. ".s"
    const unitNanos = UNIT_NANOS.get(unit);
    if (unitNanos === undefined) return undefined; // missing or unknown unit
    let value = BigInt(integer === '' ? '0' : integer);
    if (value > 2n ** 63n || value > 2n ** 63n / unitNanos) return undefined;
    value *= unitNanos;
    const [digits, scale] = leadingFraction(fraction);
    if (digits > 0n) {
      value += BigInt(Math.trunc(Number(digits) * (Number(unitNanos) / scale)));
      if (value > 2n ** 63n) return undefined;
    }
    total += value;
    if (total > 2n ** 63n) return undefined;
  }
  if (negative) return -total;
  return total > MAX_INT64 ? undefined : total;
}

/** Go's leadingFraction: digits are read until the value would overflow an int64; the rest are skipped. */
function leadingFraction(fraction: string): [bigint, number] {
  let value = 0n;
  let scale = 1;
  for (const digit of fraction) {
    const next = value * 10n + BigInt(digit);
    if (value > MAX_INT64 / 10n || next > 2n ** 63n) break;
    value = next;
    scale *= 10;
  }
  return [value, scale];
}

const UNITS = [
  ...UNIT_NANOS.keys(),
  '',
  'x',
  'sec',
  'M',
  'H',
  'S',
  'µ',
  'mss',
  'e',
  ' s',
  'h\u0000',
  '__proto__',
];

const digits = fc.oneof(
  fc.stringMatching(/^[0-9]{0,4}$/),
  fc.stringMatching(/^0{0,25}[0-9]{0,25}$/), // long and zero-padded values: overflow and precision
);

/** Strings shaped like Go durations, right or slightly wrong. */
const durationLike = fc
  .tuple(
    fc.constantFrom('', '', '-', '+', '--'),
    fc.array(
      fc.record({
        integer: digits,
        dot: fc.constantFrom('', '', '.'),
        fraction: digits,
        unit: fc.constantFrom(...UNITS),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(
    ([sign, parts]) =>
      sign + parts.map(p => `${p.integer}${p.dot}${p.dot === '' ? '' : p.fraction}${p.unit}`).join(''),
  );

const anyText = fc.oneof(
  durationLike,
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('0', '-0', '+0', '00', '0.0', '.', '-.5s', '1.s', '9223372036854775807ns', '2562048h'),
);

/** 2^50 ns (about 13 days) and below: exactly representable in ms as a float, so results compare exactly. */
const EXACT_NANOS = 2n ** 50n;

/** parseDuration gives Go's value (exactly up to EXACT_NANOS, else to float precision) or fails where Go does. */
function assertAgreesWithGo(text: string): void {
  const expected = goParseDuration(text);
  // Go has no negative zero: "-0s" is 0 (JavaScript's -0 equals 0 for every use made of it).
  const parsed = parseDuration(text);
  const actual = parsed === 0 ? 0 : parsed;
  if (expected === undefined) {
    assert.equal(actual, undefined);
    return;
  }
  assert.ok(actual !== undefined && Number.isFinite(actual), `${JSON.stringify(text)} parses`);
  const magnitude = expected < 0n ? -expected : expected;
  if (magnitude <= EXACT_NANOS) assert.equal(actual, Number(expected) / 1e6);
  else assert.ok(Math.abs(actual - Number(expected) / 1e6) <= Math.abs(actual) * 1e-12);
}

describe('parseDuration (property: Go time.ParseDuration)', () => {
  it('agrees with Go on any string: the same value, or undefined where Go fails', () => {
    fc.assert(fc.property(anyText, assertAgreesWithGo), { numRuns: 5_000 });
  });

  it('is never negative unless the text has a minus sign, never NaN, and never throws', () => {
    fc.assert(
      fc.property(anyText, text => {
        const ms = parseDuration(text);
        if (ms === undefined) return;
        assert.ok(!Number.isNaN(ms));
        if (!text.startsWith('-')) assert.ok(ms >= 0, `${JSON.stringify(text)} gave ${ms}`);
      }),
      { numRuns: 2_000 },
    );
  });

  it('handles huge inputs as Go does', () => {
    for (const text of ['1'.repeat(200_000) + 's', `1.${'5'.repeat(200_000)}s`, '1s'.repeat(100_000)]) {
      assertAgreesWithGo(text);
    }
    assert.equal(parseDuration('1s'.repeat(100_000)), 100_000_000);
  });
});

describe('formatDuration (property: Go time.Duration.String)', () => {
  const nanos = fc.bigInt({ min: -EXACT_NANOS, max: EXACT_NANOS });

  it('round-trips every Go duration through parseDuration', () => {
    fc.assert(
      fc.property(nanos, n => {
        const ms = Number(n) / 1e6;
        const text = formatDuration(ms);
        assert.equal(parseDuration(text), ms, text);
        assert.equal(goParseDuration(text), n, text);
      }),
      { numRuns: 3_000 },
    );
  });

  it('prints a text that Go reads back as the duration parsed', () => {
    fc.assert(
      fc.property(durationLike, text => {
        const expected = goParseDuration(text);
        if (expected === undefined || expected > EXACT_NANOS || expected < -EXACT_NANOS) return;
        const ms = parseDuration(text);
        assert.ok(ms !== undefined);
        assert.equal(goParseDuration(formatDuration(ms)), expected, `${text} → ${formatDuration(ms)}`);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('formatDuration of any number (property)', () => {
  it('never throws: values beyond Go durations (a plan of threshold 1e300) are printed too', () => {
    fc.assert(
      fc.property(fc.double(), ms => {
        const text = formatDuration(ms);
        assert.ok(text !== '');
        if (Number.isFinite(ms)) assert.match(text, /^-?[0-9]/);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('duration regressions found by the properties', () => {
  it('formats the threshold × interval of a plan with threshold 3e297 instead of throwing', () => {
    assert.match(formatDuration(3e297 * 60_000), /^\d+h\d+m[\d.]+s$/);
    assert.equal(formatDuration(Infinity), 'Infinity');
    assert.equal(formatDuration(Number.NaN), 'NaN');
  });

  // Go computes a fraction as float64(digits) * (unit / 10^n); 0.57 * 60e9 in floats gives 34199999999ns.
  it('reads fractions with Go float arithmetic: 0.57m is 34.2s, not 34.199999999s', () => {
    assert.equal(parseDuration('0.57m'), 34_200);
    assert.equal(formatDuration(parseDuration('0.57m') ?? 0), '34.2s');
    assert.equal(parseDuration('0.29h'), 1_044_000);
    // The shrunk round trip: 106h16m55.502019178s read back as 382615502.019177ms.
    assert.equal(parseDuration(formatDuration(382_615_502.019_178)), 382_615_502.019_178);
  });

  it("knows no unit named after Object.prototype's members", () => {
    for (const text of ['0__proto__', '1__proto__', '1constructor', '1toString', '1hasOwnProperty']) {
      assert.equal(goParseDuration(text), undefined, text);
      assertAgreesWithGo(text);
    }
  });

  it('ignores the fraction digits past int64 as Go does, however many zeros lead them', () => {
    assertAgreesWithGo(`0.${'0'.repeat(30)}1s`);
    assertAgreesWithGo(`1.${'9'.repeat(40)}h`);
  });
});
