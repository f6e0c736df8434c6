import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GoFlagError, GoFlagSet } from './go-flags.ts';

const set = new GoFlagSet('probe', {
  addr: { kind: 'string', usage: 'tcp host:port' },
  tls: { kind: 'bool', usage: 'use TLS' },
  timeout: { kind: 'duration', usage: 'rpc timeout', default: '1s' },
  header: { kind: 'repeated', usage: 'a header' },
  v: { kind: 'bool', usage: 'verbose' },
  name: { kind: 'string', usage: 'user agent', default: 'probe' },
});

describe("Go's flag syntax", () => {
  const cases: {
    argv: string[];
    addr?: string;
    tls?: boolean;
    timeout?: number;
    headers?: string[];
    args?: string[];
  }[] = [
    { argv: [], addr: '', tls: false, timeout: 1000, headers: [], args: [] },
    { argv: ['-addr=h:1'], addr: 'h:1' },
    { argv: ['--addr', 'h:2'], addr: 'h:2' },
    { argv: ['-addr', '-tls'], addr: '-tls', tls: false },
    { argv: ['-tls', '-addr=h'], tls: true },
    { argv: ['--tls=false'], tls: false },
    { argv: ['-tls=T'], tls: true },
    { argv: ['-timeout=250ms'], timeout: 250 },
    { argv: ['-timeout', '1m30s'], timeout: 90_000 },
    { argv: ['-header=a:1', '--header', 'b: 2'], headers: ['a:1', 'b: 2'] },
    // Parsing stops at the first non-flag, and after "--".
    { argv: ['-tls', 'rest', '-addr=x'], tls: true, addr: '', args: ['rest', '-addr=x'] },
    { argv: ['--', '-tls'], tls: false, args: ['-tls'] },
    { argv: ['-', '-tls'], tls: false, args: ['-', '-tls'] },
    { argv: ['-addr='], addr: '' },
  ];
  for (const c of cases) {
    it(`parses ${JSON.stringify(c.argv)}`, () => {
      const flags = set.parse(c.argv);
      if (c.addr !== undefined) assert.equal(flags.string('addr'), c.addr);
      if (c.tls !== undefined) assert.equal(flags.bool('tls'), c.tls);
      if (c.timeout !== undefined) assert.equal(flags.duration('timeout'), c.timeout);
      if (c.headers !== undefined) assert.deepEqual(flags.repeated('header'), c.headers);
      if (c.args !== undefined) assert.deepEqual(flags.args, c.args);
    });
  }

  const errors: [string[], string][] = [
    [['-nope'], 'flag provided but not defined: -nope'],
    [['--nope=1'], 'flag provided but not defined: -nope'],
    [['-addr'], 'flag needs an argument: -addr'],
    [['-tls=yes'], 'invalid boolean value "yes" for -tls: parse error'],
    [['-timeout=5'], 'invalid value "5" for flag -timeout: parse error'],
    [['---addr=x'], 'bad flag syntax: ---addr=x'],
    [['-=x'], 'bad flag syntax: -=x'],
  ];
  for (const [argv, message] of errors) {
    it(`refuses ${JSON.stringify(argv)}: ${message}`, () => {
      assert.throws(
        () => set.parse(argv),
        (err: unknown) => err instanceof GoFlagError && err.message === message,
      );
    });
  }

  it('reports -h and -help as a request for help when they are not flags', () => {
    for (const argv of [['-h'], ['--help']]) {
      assert.throws(
        () => set.parse(argv),
        (err: unknown) => err instanceof GoFlagError && err.help,
      );
    }
  });

  it('prints the usage as flag.PrintDefaults does', () => {
    assert.equal(
      set.usage(),
      [
        'Usage of probe:',
        '  -addr string',
        '    \ttcp host:port',
        '  -header value',
        '    \ta header',
        '  -name string',
        '    \tuser agent (default "probe")',
        '  -timeout duration',
        '    \trpc timeout (default 1s)',
        '  -tls',
        '    \tuse TLS',
        '  -v\tverbose',
        '',
      ].join('\n'),
    );
    assert.match(new GoFlagSet('', {}).usage(), /^Usage:\n$/);
  });
});

describe("Go's int and uint64 flags and a flag.Value", () => {
  const numbers = new GoFlagSet('n', {
    count: { kind: 'int', usage: 'how many', default: '2' },
    size: { kind: 'uint64', usage: 'how big', default: '0' },
    level: { kind: 'value', usage: 'a level', set: v => (/^\d$/.test(v) ? undefined : 'one digit') },
  });

  it("reads Go's integer literals", () => {
    assert.equal(numbers.parse([]).int('count'), 2);
    assert.equal(numbers.parse(['-count=0x10']).int('count'), 16);
    assert.equal(numbers.parse(['-count', '-1_000']).int('count'), -1000);
    assert.equal(numbers.parse(['-level=3']).string('level'), '3');
  });

  const errors: [string[], string][] = [
    [['-count=1.5'], 'invalid value "1.5" for flag -count: parse error'],
    [
      ['-count=9223372036854775808'],
      'invalid value "9223372036854775808" for flag -count: value out of range',
    ],
    [['-size=-1'], 'invalid value "-1" for flag -size: parse error'],
    [['-level=x\n'], 'invalid value "x\\n" for flag -level: one digit'],
  ];
  for (const [argv, message] of errors)
    it(`refuses ${JSON.stringify(argv)}: ${message}`, () =>
      assert.throws(
        () => numbers.parse(argv),
        (err: unknown) => err instanceof GoFlagError && err.message === message,
      ));

  it('prints int, uint and value, and no zero default', () =>
    assert.equal(
      numbers.usage(),
      'Usage of n:\n  -count int\n    \thow many (default 2)\n  -level value\n    \ta level\n  -size uint\n    \thow big\n',
    ));
});
