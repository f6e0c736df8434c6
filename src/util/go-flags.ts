// Command lines in the syntax of Go's flag package, for the commands that stand in for Go programs
// (grpc_health_probe): one or two dashes, `-name=value` or `-name value`, booleans as `-name` or `-name=false`;
// parsing stops at the first argument that is not a flag, or after `--`. Errors and usage read as Go prints them,
// since scripts and probes are written against those programs.
import { formatDuration, parseDuration } from '../api/duration.ts';
import { parseBool, parseInt64, parseUint, quote, type NumError } from './go-strconv.ts';

/**
 * `int` and `uint64` are Go's int and uint64 flags (Go's literal syntax: 0x10, 0o17, 1_000); `value` is a
 * flag.Value checked by its `set`; `repeated` is a flag.Value that may be given several times (all its values
 * are kept, in order).
 */
export type GoFlagKind = 'string' | 'bool' | 'duration' | 'int' | 'uint64' | 'value' | 'repeated';

export interface GoFlag {
  kind: GoFlagKind;
  usage: string;
  /** As the flag is written ("1s", "grpc_health_probe"); absent: the zero value. */
  default?: string;
  /** A `value` flag's Set: the error it reports for a value it refuses, undefined when it takes it. */
  set?: (value: string) => string | undefined;
}

/** A bad command line (Go's ErrHelp included, as `help`), with the message Go prints for it. */
export class GoFlagError extends Error {
  override name = 'GoFlagError';
  readonly help: boolean;
  constructor(message: string, help = false) {
    super(message);
    this.help = help;
  }
}

export interface GoFlagValues<N extends string> {
  string(name: N): string;
  bool(name: N): boolean;
  int(name: N): number;
  /** Milliseconds. */
  duration(name: N): number;
  repeated(name: N): string[];
  /** The arguments after the flags. */
  args: string[];
}

// The defaults Go's usage leaves out: each kind's zero value, as Go's flag package prints it.
const ZERO: Readonly<Record<GoFlagKind, string>> = {
  string: '',
  bool: 'false',
  duration: '0s',
  int: '0',
  uint64: '0',
  value: '',
  repeated: '',
};

/** `-name=value` or `--name` into the name and the value written with it. */
function splitFlag(arg: string): { name: string; inline: string | undefined } {
  const body = arg.slice(arg.startsWith('--') ? 2 : 1);
  if (body === '' || body.startsWith('-') || body.startsWith('='))
    throw new GoFlagError(`bad flag syntax: ${arg}`);
  const eq = body.indexOf('=');
  return eq < 0 ? { name: body, inline: undefined } : { name: body.slice(0, eq), inline: body.slice(eq + 1) };
}

function checkValue(flag: GoFlag, name: string, value: string): void {
  if (flag.kind === 'bool' && parseBool(value) === 'invalid syntax')
    throw new GoFlagError(`invalid boolean value ${quote(value)} for -${name}: parse error`);
  const problem = setError(flag, value);
  if (problem !== undefined)
    throw new GoFlagError(`invalid value ${quote(value)} for flag -${name}: ${problem}`);
}

/** What the flag's Set reports for a value it refuses: the flag package's own kinds say only parse or range. */
function setError(flag: GoFlag, value: string): string | undefined {
  switch (flag.kind) {
    case 'duration':
      return parseDuration(value) === undefined ? 'parse error' : undefined;
    case 'int':
      return numberError(parseInt64(value, 0));
    case 'uint64':
      return numberError(parseUint(value, 0, 64));
    case 'value':
      return flag.set?.(value);
    default:
      return undefined;
  }
}

function numberError(n: bigint | NumError): string | undefined {
  if (typeof n === 'bigint') return undefined;
  return n === 'invalid syntax' ? 'parse error' : n;
}

export class GoFlagSet<N extends string> {
  /** The program name in "Usage of <name>:"; Go prints a bare "Usage:" for "". */
  readonly programName: string;
  readonly flags: Readonly<Record<N, GoFlag>>;

  constructor(programName: string, flags: Readonly<Record<N, GoFlag>>) {
    this.programName = programName;
    this.flags = flags;
  }

  parse(argv: readonly string[]): GoFlagValues<N> {
    const given = new Map<string, string[]>();
    let i = 0;
    while (i < argv.length) {
      const arg = argv[i] ?? '';
      if (arg === '--') i++;
      if (arg === '--' || arg.length < 2 || !arg.startsWith('-')) break;
      const { name, value, consumed } = this.parseOne(arg, argv[i + 1]);
      const earlier = this.flags[name].kind === 'repeated' ? (given.get(name) ?? []) : [];
      given.set(name, [...earlier, value]);
      i += consumed;
    }
    const last = (name: N) => given.get(name)?.at(-1) ?? this.flags[name].default ?? '';
    return {
      string: last,
      bool: name => parseBool(last(name)) === true,
      int: name => Number(parseInt64(last(name) || '0', 0)),
      duration: name => parseDuration(last(name) || '0') ?? 0,
      repeated: name => given.get(name) ?? [],
      args: argv.slice(i),
    };
  }

  /** One flag argument (and its value, when that is the next argument): how many arguments it took. */
  private parseOne(arg: string, next: string | undefined): { name: N; value: string; consumed: number } {
    const { name, inline } = splitFlag(arg);
    if (!Object.hasOwn(this.flags, name)) {
      if (name === 'h' || name === 'help') throw new GoFlagError('', true);
      throw new GoFlagError(`flag provided but not defined: -${name}`);
    }
    const flag = this.flags[name as N];
    const { kind } = flag;
    const value = kind === 'bool' ? (inline ?? 'true') : (inline ?? next);
    if (value === undefined) throw new GoFlagError(`flag needs an argument: -${name}`);
    checkValue(flag, name, value);
    return { name: name as N, value, consumed: kind === 'bool' || inline !== undefined ? 1 : 2 };
  }

  /** The text Go's flag.Usage prints: the header, then each flag (sorted by name), its type, usage and default. */
  usage(): string {
    const lines = [this.programName === '' ? 'Usage:' : `Usage of ${this.programName}:`];
    const names = Object.keys(this.flags).sort() as N[];
    for (const name of names) {
      const flag = this.flags[name];
      const type = {
        string: 'string',
        bool: '',
        duration: 'duration',
        int: 'int',
        uint64: 'uint',
        value: 'value',
        repeated: 'value',
      }[flag.kind];
      const head = `  -${name}${type ? ` ${type}` : ''}`;
      let text = flag.usage.replaceAll('\n', '\n    \t');
      const shown =
        flag.kind === 'duration' ? formatDuration(parseDuration(flag.default ?? '0') ?? 0) : flag.default;
      if (shown !== undefined && shown !== ZERO[flag.kind])
        text += ` (default ${flag.kind === 'string' ? quote(shown) : shown})`;
      lines.push(head.length <= 4 ? `${head}\t${text}` : `${head}\n    \t${text}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
