import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numErrorText, parseBool, parseInt64, parseUint, quote } from './go-strconv.ts';

describe("Go's strconv", () => {
  it('ParseBool takes exactly the twelve spellings', () => {
    for (const text of ['1', 't', 'T', 'true', 'TRUE', 'True']) assert.equal(parseBool(text), true, text);
    for (const text of ['0', 'f', 'F', 'false', 'FALSE', 'False']) assert.equal(parseBool(text), false, text);
    for (const text of ['', 'yes', 'on', 'tRUE', 'fALSE', ' true', 'true ', '2', '00'])
      assert.equal(parseBool(text), 'invalid syntax', text);
  });

  const base0: [text: string, result: bigint | string][] = [
    ['0', 0n],
    ['42', 42n],
    ['-42', -42n],
    ['+42', 42n],
    ['0x1F', 31n],
    ['0X1f', 31n],
    ['0o17', 15n],
    ['0O17', 15n],
    ['017', 15n],
    ['0b101', 5n],
    ['1_000', 1000n],
    ['0x_1f', 31n],
    ['0_17', 15n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
    ['', 'invalid syntax'],
    ['+', 'invalid syntax'],
    ['-', 'invalid syntax'],
    ['08', 'invalid syntax'],
    ['0x', 'invalid syntax'],
    ['0b2', 'invalid syntax'],
    ['1_', 'invalid syntax'],
    ['_1', 'invalid syntax'],
    ['1__0', 'invalid syntax'],
    ['0x1_', 'invalid syntax'],
    ['1.5', 'invalid syntax'],
    ['1e3', 'invalid syntax'],
    [' 1', 'invalid syntax'],
    ['١', 'invalid syntax'],
    ['9223372036854775808', 'value out of range'],
    ['-9223372036854775809', 'value out of range'],
    // Go reads digit by digit: the overflow comes before the bad character.
    ['99999999999999999999x', 'value out of range'],
  ];
  for (const [text, result] of base0)
    it(`ParseInt(${JSON.stringify(text)}, 0, 64) = ${String(result)}`, () =>
      assert.equal(parseInt64(text, 0, 64), result));

  it('ParseInt(s, 10, 32): decimal digits only, within 32 bits', () => {
    const cases: [text: string, result: bigint | string][] = [
      ['010', 10n],
      ['-2147483648', -2147483648n],
      ['2147483647', 2147483647n],
      ['2147483648', 'value out of range'],
      ['0x10', 'invalid syntax'],
      ['1_0', 'invalid syntax'],
    ];
    for (const [text, result] of cases) assert.equal(parseInt64(text, 10, 32), result, text);
  });

  it('ParseUint takes no sign and up to 2^64-1', () => {
    assert.equal(parseUint('18446744073709551615', 0, 64), 18446744073709551615n);
    assert.equal(parseUint('18446744073709551616', 0, 64), 'value out of range');
    assert.equal(parseUint('-1', 0, 64), 'invalid syntax');
    assert.equal(parseUint('+1', 0, 64), 'invalid syntax');
  });

  it("words a NumError as Go's Error() does", () =>
    assert.equal(
      numErrorText('ParseInt', 'x"', 'invalid syntax'),
      'strconv.ParseInt: parsing "x\\"": invalid syntax',
    ));

  const quoted: [text: string, go: string][] = [
    ['flagger', '"flagger"'],
    ['', '""'],
    ['a "b" \\c', '"a \\"b\\" \\\\c"'],
    ['\x07\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
    ['héllo wörld ✓', '"héllo wörld ✓"'],
    ['\u00a0\u200b', '"\\u00a0\\u200b"'],
    ['\u{e0001}', '"\\U000e0001"'],
  ];
  for (const [text, go] of quoted)
    it(`Quote(${JSON.stringify(text)}) = ${go}`, () => assert.equal(quote(text), go));
});
