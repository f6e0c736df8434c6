// ghz's command line (github.com/bojand/ghz, cmd/ghz): the flags that load tests in Flagger's docs and in the wild
// use, in kingpin's syntax: `--name=value`, `--name value`, `--[no-]bool`, `-z 1m`, `-z1m`, flags before or after
// the host. Errors read as kingpin prints them (`ghz: error: unknown short flag '-x', try --help`).
import { parseDuration } from '../../api/duration.ts';

type FlagKind = 'string' | 'bool' | 'uint' | 'duration';

interface GhzFlag {
  kind: FlagKind;
  short?: string;
  default?: string;
  help: string;
  /** The accepted values of an enum flag. */
  values?: readonly string[];
}

export const FORMATS = ['summary', 'csv', 'json', 'pretty'] as const;
export type Format = (typeof FORMATS)[number];
export const DURATION_STOPS = ['close', 'wait', 'ignore'] as const;
export type DurationStop = (typeof DURATION_STOPS)[number];

export const GHZ_FLAGS = {
  proto: { kind: 'string', help: 'The Protocol Buffer .proto file.' },
  call: {
    kind: 'string',
    help: "A fully-qualified method name in 'package.Service/method' or 'package.Service.Method' format.",
  },
  'import-paths': {
    kind: 'string',
    short: 'i',
    help: 'Comma separated list of proto import paths. The current working directory and the directory of the protocol buffer file are automatically added to the import list.',
  },
  cacert: { kind: 'string', help: 'File containing trusted root certificates for verifying the server.' },
  cert: {
    kind: 'string',
    help: 'File containing client certificate (public key), to present to the server.',
  },
  key: { kind: 'string', help: 'File containing client private key, to present to the server.' },
  cname: { kind: 'string', help: 'Server name override when validating TLS certificate.' },
  skipTLS: {
    kind: 'bool',
    help: "Skip TLS client verification of the server's certificate chain and host name.",
  },
  insecure: { kind: 'bool', help: 'Use plaintext and insecure connection.' },
  authority: { kind: 'string', help: 'Value to be used as the :authority pseudo-header.' },
  rps: {
    kind: 'uint',
    short: 'r',
    default: '0',
    help: 'Requests per second (RPS) rate limit for constant load schedule. Default is no rate limit.',
  },
  // ghz called --rps --qps (-q) before v0.70; Flagger's docs still write `-q 10`.
  qps: { kind: 'uint', short: 'q', default: '0', help: 'Old name of --rps.' },
  concurrency: {
    kind: 'uint',
    short: 'c',
    default: '50',
    help: 'Number of request workers to run concurrently. Default is 50.',
  },
  total: { kind: 'uint', short: 'n', default: '200', help: 'Number of requests to run. Default is 200.' },
  timeout: {
    kind: 'duration',
    short: 't',
    default: '20s',
    help: 'Timeout for each request. Default is 20s, use 0 for infinite.',
  },
  duration: {
    kind: 'duration',
    short: 'z',
    default: '0',
    help: 'Duration of application to send requests. If duration is specified, n is ignored. Examples: -z 10s -z 3m.',
  },
  'max-duration': {
    kind: 'duration',
    short: 'x',
    default: '0',
    help: 'Maximum duration of application to send requests with n setting respected.',
  },
  'duration-stop': {
    kind: 'string',
    default: 'close',
    values: DURATION_STOPS,
    help: 'Specifies how duration stop is reported. Options are close, wait or ignore. Default is close.',
  },
  data: { kind: 'string', short: 'd', help: 'The call data as stringified JSON.' },
  'data-file': { kind: 'string', short: 'D', help: 'File path for call data JSON file.' },
  metadata: { kind: 'string', short: 'm', help: 'Request metadata as stringified JSON.' },
  'metadata-file': { kind: 'string', short: 'M', help: 'File path for call metadata JSON file.' },
  'reflect-metadata': {
    kind: 'string',
    help: 'Reflect metadata as stringified JSON used only for reflection request.',
  },
  output: { kind: 'string', short: 'o', help: 'Output path. If none provided stdout is used.' },
  format: {
    kind: 'string',
    short: 'O',
    default: 'summary',
    values: FORMATS,
    help: `Output format. One of: ${FORMATS.join(', ')}. Default is summary.`,
  },
  skipFirst: { kind: 'uint', default: '0', help: 'Skip the first X requests when doing the results tally.' },
  'count-errors': { kind: 'bool', help: 'Count erroneous (non-OK) resoponses in stats calculations.' },
  'connect-timeout': {
    kind: 'duration',
    default: '10s',
    help: 'Connection timeout for the initial connection dial. Default is 10s.',
  },
  keepalive: {
    kind: 'duration',
    default: '0',
    help: 'Keepalive time duration. Only used if present and above 0.',
  },
  name: { kind: 'string', help: 'User specified name for the test.' },
  tags: { kind: 'string', help: 'JSON representation of user-defined string tags.' },
  'enable-compression': { kind: 'bool', short: 'e', help: 'Enable Gzip compression on requests.' },
} as const satisfies Record<string, GhzFlag>;

export type GhzFlagName = keyof typeof GHZ_FLAGS;

export interface GhzCommandLine {
  /** Values given, by flag; defaults are not filled in. */
  given: Map<GhzFlagName, string>;
  host: string;
  help: boolean;
  version: boolean;
}

/** What kingpin prints after `ghz: error: `. */
export class GhzUsageError extends Error {
  override name = 'GhzUsageError';
}

const FLAGS: Readonly<Record<string, GhzFlag>> = GHZ_FLAGS;
const SHORT = new Map(
  Object.entries(FLAGS).flatMap(([name, flag]) => (flag.short ? [[flag.short, name] as const] : [])),
);

export function parseGhzCommandLine(argv: readonly string[]): GhzCommandLine {
  const line: GhzCommandLine = { given: new Map(), host: '', help: false, version: false };
  const positional: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) i += readLong(line, arg, argv[i + 1]);
    else if (arg.startsWith('-') && arg.length > 1) i += readShorts(line, arg, argv[i + 1]);
    else {
      positional.push(arg);
      i++;
    }
  }
  const [host, extra] = positional;
  if (extra !== undefined && !line.help && !line.version) throw new GhzUsageError(`unexpected ${extra}`);
  line.host = host ?? '';
  return line;
}

/** `--name`, `--name=value`, `--name value` or `--no-name`; returns how many arguments it took. */
function readLong(line: GhzCommandLine, arg: string, next: string | undefined): number {
  const eq = arg.indexOf('=');
  const written = arg.slice(2, eq < 0 ? undefined : eq);
  const inline = eq < 0 ? undefined : arg.slice(eq + 1);
  if (written === 'help' || written === 'version') {
    line[written] = true;
    return 1;
  }
  const { name, negated } = longName(written);
  const flag = FLAGS[name];
  if (!flag) throw new GhzUsageError(`unknown long flag '--${name}'`);
  if (flag.kind === 'bool') {
    set(line, name, `--${name}`, negated ? 'false' : (inline ?? 'true'));
    return 1;
  }
  const value = inline ?? next;
  if (value === undefined) throw new GhzUsageError(`expected argument for flag '--${name}'`);
  set(line, name, `--${name}`, value);
  return inline === undefined ? 2 : 1;
}

/** The flag a long name stands for: `--no-x` is x set to false when x is a boolean without a no-x of its own. */
function longName(written: string): { name: string; negated: boolean } {
  const negated = !FLAGS[written] && written.startsWith('no-') && FLAGS[written.slice(3)]?.kind === 'bool';
  return { name: negated ? written.slice(3) : written, negated };
}

/** A cluster of short flags: booleans combine (-eh), a value flag takes the rest of it or the next argument. */
function readShorts(line: GhzCommandLine, arg: string, next: string | undefined): number {
  for (let j = 1; j < arg.length; j++) {
    const letter = arg[j] ?? '';
    if (letter === 'h' || letter === 'v') {
      line[letter === 'h' ? 'help' : 'version'] = true;
      continue;
    }
    const name = SHORT.get(letter);
    const flag = name === undefined ? undefined : FLAGS[name];
    if (name === undefined || !flag) throw new GhzUsageError(`unknown short flag '-${letter}'`);
    if (flag.kind === 'bool') {
      set(line, name, `-${letter}`, 'true');
      continue;
    }
    const rest = arg.slice(j + 1).replace(/^=/, '');
    const value = rest !== '' ? rest : next;
    if (value === undefined) throw new GhzUsageError(`expected argument for flag '-${letter}'`);
    set(line, name, `-${letter}`, value);
    return rest !== '' ? 1 : 2;
  }
  return 1;
}

function set(line: GhzCommandLine, name: string, shown: string, value: string): void {
  const flag = FLAGS[name];
  if (flag) line.given.set(name as GhzFlagName, checkValue(flag, shown, value));
}

function checkValue(flag: GhzFlag, shown: string, value: string): string {
  switch (flag.kind) {
    case 'bool':
      if (!['true', 'false', '1', '0'].includes(value))
        throw new GhzUsageError(`invalid boolean value ${JSON.stringify(value)} for ${shown}`);
      return value === '1' || value === 'true' ? 'true' : 'false';
    case 'uint':
      if (!/^\d+$/.test(value))
        throw new GhzUsageError(`strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
      return value;
    case 'duration':
      if (parseDuration(value) === undefined)
        throw new GhzUsageError(`time: invalid duration ${JSON.stringify(value)}`);
      return value;
    case 'string':
      if (flag.values && !flag.values.includes(value))
        throw new GhzUsageError(`enum value must be one of ${flag.values.join(',')}, got '${value}'`);
      return value;
  }
}

/** The value of a flag, or its default. */
export function flagValue(line: GhzCommandLine, name: GhzFlagName): string {
  const flag: GhzFlag = GHZ_FLAGS[name];
  return line.given.get(name) ?? flag.default ?? '';
}

/** The kingpin-style help text. */
export function ghzUsage(): string {
  const rows = Object.entries(FLAGS).map(([name, flag]) => {
    const left = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.kind === 'bool' ? `[no-]${name}` : `${name}= `}`;
    return [left, flag.help] as const;
  });
  rows.unshift(
    ['-h, --help', 'Show context-sensitive help.'],
    ['-v, --version', 'Show application version.'],
  );
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    'usage: ghz [<flags>] [<host>]',
    '',
    'Flags:',
    ...rows.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`),
    '',
    'Args:',
    '  [<host>]  Host and port to test.',
    '',
  ].join('\n');
}
