import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GoFlagError } from '../util/go-flags.ts';
import { listFlag, parseFlags, usage, type FlagName, type Flags } from './flags.ts';
import { KLOG_FLAGS } from './klog-flags.ts';

const parse = (...argv: string[]) => parseFlags(argv, {});

/** The message Go's flag package prints for argv, or undefined when it parses. */
function refusal(argv: string[]): string | undefined {
  try {
    parseFlags(argv, {});
    return undefined;
  } catch (err) {
    assert.ok(err instanceof GoFlagError, String(err));
    return err.help ? '(help)' : err.message;
  }
}

describe("Flagger's flags", () => {
  it("has Flagger's defaults", () => {
    const flags = parse();
    assert.equal(flags['mesh-provider'], 'istio');
    assert.equal(flags['metrics-server'], 'http://prometheus:9090');
    assert.equal(flags['selector-labels'], 'app,name,app.kubernetes.io/name');
    assert.equal(flags['enable-config-tracking'], true);
    assert.equal(flags['enable-leader-election'], false);
    assert.equal(flags.threadiness, 2);
    assert.equal(flags['control-loop-interval'], '10s');
  });

  const accepted: [argv: string[], name: FlagName, value: Flags[FlagName]][] = [
    [['-mesh-provider=linkerd'], 'mesh-provider', 'linkerd'],
    [['--mesh-provider=linkerd'], 'mesh-provider', 'linkerd'],
    [['-mesh-provider', 'linkerd'], 'mesh-provider', 'linkerd'],
    [['--mesh-provider', 'linkerd'], 'mesh-provider', 'linkerd'],
    [['-kubeconfig='], 'kubeconfig', ''],
    [['-namespace=a=b'], 'namespace', 'a=b'],
    // A flag that takes a value takes the next argument, whatever it is.
    [['-kubeconfig', '-v=2'], 'kubeconfig', '-v=2'],
    [['-kubeconfig', '-h'], 'kubeconfig', '-h'],
    [['-threadiness=3', '-threadiness', '5'], 'threadiness', 5],
    // int: strconv.ParseInt with base 0, Go's literal syntax.
    [['-threadiness=4'], 'threadiness', 4],
    [['-threadiness', '0x10'], 'threadiness', 16],
    [['-kubeconfig-qps=0o17'], 'kubeconfig-qps', 15],
    [['-kubeconfig-qps=017'], 'kubeconfig-qps', 15],
    [['-kubeconfig-burst=0b101'], 'kubeconfig-burst', 5],
    [['-kubeconfig-burst=1_000'], 'kubeconfig-burst', 1000],
    [['-kubeconfig-burst=+7'], 'kubeconfig-burst', 7],
    [['-kubeconfig-burst=-7'], 'kubeconfig-burst', -7],
    // duration: time.ParseDuration.
    [['-control-loop-interval=1m30s'], 'control-loop-interval', '1m30s'],
    [['-control-loop-interval', '0'], 'control-loop-interval', '0'],
    // A bare boolean is true; a value only with `=`.
    [['-enable-leader-election'], 'enable-leader-election', true],
    [['--enable-leader-election'], 'enable-leader-election', true],
    ...['1', 't', 'T', 'true', 'TRUE', 'True'].map((v): [string[], FlagName, boolean] => [
      [`-dry-run=${v}`],
      'dry-run',
      true,
    ]),
    ...['0', 'f', 'F', 'false', 'FALSE', 'False'].map((v): [string[], FlagName, boolean] => [
      [`--enable-config-tracking=${v}`],
      'enable-config-tracking',
      false,
    ]),
  ];
  for (const [argv, name, value] of accepted)
    it(`reads ${argv.join(' ')} as -${name}=${String(value)}`, () =>
      assert.equal(parse(...argv)[name], value));

  const refused: [argv: string[], message: string][] = [
    [['-mesh'], 'flag provided but not defined: -mesh'],
    [['-Threadiness=2'], 'flag provided but not defined: -Threadiness'],
    [['-kubeconfig'], 'flag needs an argument: -kubeconfig'],
    [['--threadiness'], 'flag needs an argument: -threadiness'],
    [['---threadiness=2'], 'bad flag syntax: ---threadiness=2'],
    [['-=2'], 'bad flag syntax: -=2'],
    [['-threadiness=x'], 'invalid value "x" for flag -threadiness: parse error'],
    [['-threadiness=1.5'], 'invalid value "1.5" for flag -threadiness: parse error'],
    [['-threadiness=08'], 'invalid value "08" for flag -threadiness: parse error'],
    [['-threadiness=1__0'], 'invalid value "1__0" for flag -threadiness: parse error'],
    [['-threadiness='], 'invalid value "" for flag -threadiness: parse error'],
    [
      ['-threadiness=9223372036854775808'],
      'invalid value "9223372036854775808" for flag -threadiness: value out of range',
    ],
    [['-control-loop-interval=10'], 'invalid value "10" for flag -control-loop-interval: parse error'],
    [['-idle-resync-interval=soon'], 'invalid value "soon" for flag -idle-resync-interval: parse error'],
    ...['yes', 'on', 'tRUE', '', ' true', '2'].map((v): [string[], string] => [
      [`-dry-run=${v}`],
      `invalid boolean value ${JSON.stringify(v)} for -dry-run: parse error`,
    ]),
    [['-zap-replace-globals=\t'], 'invalid boolean value "\\t" for -zap-replace-globals: parse error'],
    // A boolean never takes the next argument: "false" is not a flag, and Flagger would ignore it and every flag
    // after it.
    [
      ['-enable-leader-election', 'false'],
      'unexpected argument "false": Flagger\'s command line has flags only',
    ],
    [['-port=8080', 'run'], 'unexpected argument "run": Flagger\'s command line has flags only'],
    [['-', '-port=1'], 'unexpected argument "-": Flagger\'s command line has flags only'],
    [['--', '-port=1'], 'unexpected argument "-port=1": Flagger\'s command line has flags only'],
    // Go's flag package stops at the first error.
    [['-threadiness=x', '-bogus'], 'invalid value "x" for flag -threadiness: parse error'],
    ...[['-h'], ['-help'], ['--help'], ['--h'], ['-help=false'], ['-port=1', '-h', '-bogus']].map(
      (argv): [string[], string] => [argv, '(help)'],
    ),
  ];
  for (const [argv, message] of refused)
    it(`refuses ${JSON.stringify(argv)}: ${message}`, () => assert.equal(refusal(argv), message));

  it('ends the flags at --', () => assert.equal(parse('-port=1', '--').port, '1'));

  it("applies Flagger's environment overrides when set and not empty", () => {
    const flags = parseFlags(['-slack-url=http://a', '-msteams-url=http://m'], {
      SLACK_URL: 'http://b',
      EVENT_WEBHOOK_URL: 'http://e',
      MSTEAMS_URL: '',
    });
    assert.equal(flags['slack-url'], 'http://b');
    assert.equal(flags['event-webhook'], 'http://e');
    assert.equal(flags['msteams-url'], 'http://m');
  });

  it('splits list flags', () => {
    assert.deepEqual(listFlag('app, name,,x'), ['app', 'name', 'x']);
    assert.deepEqual(listFlag(''), []);
  });
});

describe("klog's flags, which Flagger registers", () => {
  it('are those of klog v2.140.0 InitFlags', () =>
    assert.deepEqual(Object.keys(KLOG_FLAGS).sort(), [
      'add_dir_header',
      'alsologtostderr',
      'alsologtostderrthreshold',
      'legacy_stderr_threshold_behavior',
      'log_backtrace_at',
      'log_dir',
      'log_file',
      'log_file_max_size',
      'logtostderr',
      'one_output',
      'skip_headers',
      'skip_log_headers',
      'stderrthreshold',
      'v',
      'vmodule',
    ]));

  const accepted = [
    ['-v', '4'],
    ['-v=4'],
    ['--v=4'],
    ['--v', '4'],
    ['-v=-1'],
    ['-v=+2'],
    ['-vmodule=gfs*=3,file=1,'],
    ['-vmodule='],
    ['-vmodule', 'x=0'],
    ['-logtostderr'],
    ['-logtostderr=false'],
    ['-alsologtostderr=1'],
    ['-legacy_stderr_threshold_behavior=F'],
    ['-add_dir_header=T'],
    ['-skip_headers'],
    ['-skip_log_headers=true'],
    ['-one_output=False'],
    ['-stderrthreshold=WARNING'],
    ['-stderrthreshold=warning'],
    ['-stderrthreshold', '1'],
    ['-alsologtostderrthreshold=Info'],
    ['-log_backtrace_at=main.go:12'],
    ['-log_backtrace_at=main.go:+3'],
    ['-log_backtrace_at='],
    ['-log_dir', '/var/log'],
    ['-log_file=flagger.log'],
    ['-log_file_max_size=0'],
    ['-log_file_max_size=0x10'],
    ['-log_file_max_size', '18446744073709551615'],
  ];
  for (const argv of accepted)
    it(`accepts ${argv.join(' ')}, to no effect`, () => assert.deepEqual(parse(...argv), parse()));

  const refused: [argv: string[], message: string][] = [
    [['-v=x'], 'invalid value "x" for flag -v: strconv.ParseInt: parsing "x": invalid syntax'],
    [['-v', '0x1'], 'invalid value "0x1" for flag -v: strconv.ParseInt: parsing "0x1": invalid syntax'],
    [['-v=1_0'], 'invalid value "1_0" for flag -v: strconv.ParseInt: parsing "1_0": invalid syntax'],
    [
      ['-v=2147483648'],
      'invalid value "2147483648" for flag -v: strconv.ParseInt: parsing "2147483648": value out of range',
    ],
    [['-v'], 'flag needs an argument: -v'],
    [
      ['-stderrthreshold=LOUD'],
      'invalid value "LOUD" for flag -stderrthreshold: strconv.ParseInt: parsing "LOUD": invalid syntax',
    ],
    [
      ['-vmodule=gfs'],
      'invalid value "gfs" for flag -vmodule: syntax error: expect comma-separated list of filename=N',
    ],
    [
      ['-vmodule=a=1=2'],
      'invalid value "a=1=2" for flag -vmodule: syntax error: expect comma-separated list of filename=N',
    ],
    [
      ['-vmodule==1'],
      'invalid value "=1" for flag -vmodule: syntax error: expect comma-separated list of filename=N',
    ],
    [['-vmodule=a=-1'], 'invalid value "a=-1" for flag -vmodule: negative value for vmodule level'],
    [
      ['-log_backtrace_at=main:1'],
      'invalid value "main:1" for flag -log_backtrace_at: syntax error: expect file.go:234',
    ],
    [
      ['-log_backtrace_at=a.go:1:2'],
      'invalid value "a.go:1:2" for flag -log_backtrace_at: syntax error: expect file.go:234',
    ],
    [
      ['-log_backtrace_at=main.go:x'],
      'invalid value "main.go:x" for flag -log_backtrace_at: syntax error: expect file.go:234',
    ],
    [
      ['-log_backtrace_at=main.go:0'],
      'invalid value "main.go:0" for flag -log_backtrace_at: negative or zero value for level',
    ],
    [['-log_file_max_size=-1'], 'invalid value "-1" for flag -log_file_max_size: parse error'],
    [
      ['-log_file_max_size=18446744073709551616'],
      'invalid value "18446744073709551616" for flag -log_file_max_size: value out of range',
    ],
    [['-logtostderr=yes'], 'invalid boolean value "yes" for -logtostderr: parse error'],
    [['-logtostderr', 'false'], 'unexpected argument "false": Flagger\'s command line has flags only'],
  ];
  for (const [argv, message] of refused)
    it(`refuses ${argv.join(' ')}: ${message}`, () => assert.equal(refusal(argv), message));
});

describe('usage', () => {
  const text = usage();

  it("prints each flag as Go's flag package does, sorted, with its type and a default that is not zero", () => {
    assert.ok(text.startsWith('Usage of flagger:\n'));
    for (const entry of [
      '  -threadiness int\n    \tWorker concurrency. (default 2)\n',
      '  -metrics-server string\n    \tPrometheus URL. (default "http://prometheus:9090")\n',
      '  -control-loop-interval duration\n    \tKubernetes API sync interval. (default 10s)\n',
      '  -idle-resync-interval duration\n',
      '  -enable-config-tracking\n    \tEnable secrets and configmaps tracking. (default true)\n',
      '  -enable-leader-election\n    \tEnable leader election.\n',
      '  -kubeconfig string\n    \tPath to a kubeconfig. Only required if out-of-cluster.\n',
      '  -log_file_max_size uint\n',
      '  -v value\n    \tnumber for the log level verbosity\n',
      '  -vmodule value\n',
    ])
      assert.ok(text.includes(entry), entry);
    const names = [...text.matchAll(/^ {2}-(\S+)/gm)].map(m => m[1]);
    assert.deepEqual(names, [...names].sort());
    assert.match(text, /\(default 10m0s\)/);
    assert.match(text, /-stderrthreshold value\n.*\n.*\(default 2\)\n/);
  });

  it('says which flags have no effect here: every klog flag', () => {
    for (const name of Object.keys(KLOG_FLAGS)) {
      const entry = new RegExp(`^ {2}-${name}( \\w+)?\\n(    \\t.*\\n)*?    \\t.*no effect here`, 'm');
      assert.match(text, entry, name);
    }
  });

  it('marks the extensions', () => {
    for (const name of ['min-analysis-interval', 'idle-resync-interval', 'dry-run'])
      assert.match(text, new RegExp(`-${name}.*\\n.*not a Flagger flag`), name);
  });
});
