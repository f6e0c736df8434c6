import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GhzConfigError, ghzConfig, GhzRunError, type GhzConfig } from './ghz-config.ts';
import { ghzUsage, GhzUsageError, parseGhzCommandLine } from './ghz-flags.ts';

const config = (argv: string[]) => ghzConfig(parseGhzCommandLine(argv));
const CALL = '--call=grpc.health.v1.Health/Check';

describe('ghz command line', () => {
  const parsed: [string[], Record<string, string>, string][] = [
    // Flagger's webhook examples.
    [
      ['-z', '1m', '-q', '10', '-c', '2', '--insecure', 'podinfo.test:9898'],
      { duration: '1m', qps: '10', concurrency: '2', insecure: 'true' },
      'podinfo.test:9898',
    ],
    [
      [
        '--insecure',
        '--proto=/tmp/ghz/health.proto',
        '--call=grpc.health.v1.Health/Check',
        'podinfo.test:9898',
      ],
      { insecure: 'true', proto: '/tmp/ghz/health.proto', call: 'grpc.health.v1.Health/Check' },
      'podinfo.test:9898',
    ],
    // Attached short values, flags after the host, --no- booleans, long flags with a separate value.
    [['-n50', '-c=4', 'h:1', '--rps', '5'], { total: '50', concurrency: '4', rps: '5' }, 'h:1'],
    [
      ['--no-insecure', '-e', '--count-errors=false', 'h:1'],
      { insecure: 'false', 'enable-compression': 'true', 'count-errors': 'false' },
      'h:1',
    ],
    [
      ['-d', '{"service":"x"}', '-m', '{"a":"b"}', '-t', '2s', '-O', 'json', '-i', 'a,b', 'h:1'],
      {
        data: '{"service":"x"}',
        metadata: '{"a":"b"}',
        timeout: '2s',
        format: 'json',
        'import-paths': 'a,b',
      },
      'h:1',
    ],
    [['--', '-h'], {}, '-h'],
  ];
  for (const [argv, given, host] of parsed) {
    it(`parses ${argv.join(' ')}`, () => {
      const line = parseGhzCommandLine(argv);
      assert.deepEqual(Object.fromEntries(line.given), given);
      assert.equal(line.host, host);
    });
  }

  it('takes -h/--help and -v/--version', () => {
    assert.equal(parseGhzCommandLine(['-h']).help, true);
    assert.equal(parseGhzCommandLine(['--help']).help, true);
    assert.equal(parseGhzCommandLine(['-v']).version, true);
    assert.equal(parseGhzCommandLine(['--version']).version, true);
    assert.match(ghzUsage(), /^usage: ghz \[<flags>\] \[<host>\]\n/);
    assert.match(ghzUsage(), /^ {2}-z, --duration= {2,}Duration of application/m);
    assert.match(ghzUsage(), /^ {6}--\[no-\]insecure {2,}Use plaintext/m);
  });

  const refused: [string[], string][] = [
    [['--nope'], "unknown long flag '--nope'"],
    [['-Q'], "unknown short flag '-Q'"],
    [['--proto'], "expected argument for flag '--proto'"],
    [['-n'], "expected argument for flag '-n'"],
    [['a:1', 'b:2'], 'unexpected b:2'],
    [['-n', 'ten'], 'strconv.ParseUint: parsing "ten": invalid syntax'],
    [['-c', '-1'], 'strconv.ParseUint: parsing "-1": invalid syntax'],
    [['-z', '10'], 'time: invalid duration "10"'],
    [['-O', 'html'], "enum value must be one of summary,csv,json,pretty, got 'html'"],
    [['--duration-stop=never'], "enum value must be one of close,wait,ignore, got 'never'"],
    [['--insecure=yes'], 'invalid boolean value "yes" for --insecure'],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ')}: ${message}`, () => {
      assert.throws(
        () => parseGhzCommandLine(argv),
        (err: unknown) => err instanceof GhzUsageError && err.message === message,
      );
    });
  }
});

describe('ghz run settings', () => {
  let dir = '';
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ghz-config-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it("has ghz's defaults", async () => {
    const settings = await config([CALL, 'h:1']);
    const expected: Partial<GhzConfig> = {
      total: 200,
      concurrency: 50,
      rps: 0,
      timeoutMs: 20_000,
      connectTimeoutMs: 10_000,
      durationMs: 0,
      durationStop: 'close',
      format: 'summary',
      insecure: false,
      data: [{}],
      metadata: undefined,
      importPaths: [],
    };
    for (const [key, value] of Object.entries(expected))
      assert.deepEqual(settings[key as keyof GhzConfig], value, key);
  });

  const settings: [string[], Partial<GhzConfig>][] = [
    // A duration ignores --total; -q is the old name of --rps, which wins when both are given.
    [['-z', '30s', '-n', '5', '-q', '10'], { total: Number.POSITIVE_INFINITY, durationMs: 30_000, rps: 10 }],
    [['-q', '10', '-r', '3'], { rps: 3 }],
    [['-t', '0'], { timeoutMs: 0 }],
    [
      ['--proto', '/tmp/ghz/health.proto', '-i', 'vendor,third_party'],
      { importPaths: ['/tmp/ghz', '.', 'vendor', 'third_party'] },
    ],
    [['--proto', 'health.proto'], { importPaths: ['.'] }],
    [['-d', '[{"service":"a"},{"service":"b"}]'], { data: [{ service: 'a' }, { service: 'b' }] }],
    [['-m', '{"authorization":"Bearer x"}'], { metadata: { authorization: 'Bearer x' } }],
    [['--tags', '{"env":"ci"}', '--name', 'smoke'], { tags: { env: 'ci' }, name: 'smoke' }],
  ];
  for (const [argv, expected] of settings) {
    it(`reads ${argv.join(' ')}`, async () => {
      const read = await config([CALL, 'h:1', ...argv]);
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual(read[key as keyof GhzConfig], value, key);
    });
  }

  it('reads data and metadata files', async () => {
    await writeFile(join(dir, 'data.json'), '{"service":"from-file"}');
    await writeFile(join(dir, 'md.json'), '{"x-id":"1"}');
    const read = await config([CALL, 'h:1', '-D', join(dir, 'data.json'), '-M', join(dir, 'md.json')]);
    assert.deepEqual(read.data, [{ service: 'from-file' }]);
    assert.deepEqual(read.metadata, { 'x-id': '1' });
  });

  const failures: [string[], typeof GhzConfigError | typeof GhzRunError, RegExp][] = [
    [['h:1'], GhzRunError, /^call required$/],
    [[CALL], GhzRunError, /^host required$/],
    [[CALL, 'h:1', '--proto=health.txt'], GhzRunError, /^proto: must have \.proto extension$/],
    [
      [CALL, 'h:1', '-n', '5', '--skipFirst', '6'],
      GhzRunError,
      /^you cannot skip more requests than those run$/,
    ],
    [[CALL, 'h:1', '-d', '{bad'], GhzConfigError, /^error unmarshaling data '\{bad': /],
    [
      [CALL, 'h:1', '-m', '{"a":1}'],
      GhzConfigError,
      /^error unmarshaling metadata '\{"a":1\}': json: cannot unmarshal/,
    ],
    [[CALL, 'h:1', '-d', '[]'], GhzRunError, /^data array must not be empty$/],
    [[CALL, 'h:1', '-d', '"text"'], GhzRunError, /^unsupported type for Data$/],
    [
      [CALL, 'h:1', '-D', '/nonexistent/data.json'],
      GhzRunError,
      /^open \/nonexistent\/data\.json: no such file or directory$/,
    ],
  ];
  for (const [argv, type, message] of failures) {
    it(`refuses ${argv.join(' ')}: ${String(message)}`, async () => {
      await assert.rejects(config(argv), (err: unknown) => err instanceof type && message.test(err.message));
    });
  }
});
