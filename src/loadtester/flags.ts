// The load tester's command-line flags (Flagger's cmd/loadtester/main.go): same names and defaults, with one or
// two dashes, as `-name=value`, `-name value`, or `-name` for booleans. -gate-storage and -kubeconfig are
// extensions (Flagger keeps gates in memory only), and so are -allowed-namespaces, -disable-task-types and
// -auth-token-file (Flagger runs any command for anyone who can reach it) and -max-output-bytes.
import { parseDuration } from '../api/duration.ts';
import { MAX_OUTPUT_BYTES } from './output.ts';
import { isTaskType, TASK_FACTORIES } from './tasks/registry.ts';
import type { TaskType } from './tasks/types.ts';

interface FlagSpec {
  default: string | boolean;
  help: string;
}

export const LOADTESTER_FLAGS = {
  'log-level': { default: 'debug', help: 'Log level can be: debug, info, warn, error.' },
  port: { default: '9090', help: 'Port to listen on.' },
  timeout: { default: '1h', help: 'Load test exec timeout.' },
  'namespace-regexp': { default: '', help: 'Restrict access to canaries in matching namespaces.' },
  'zap-replace-globals': {
    default: false,
    help: 'Whether to change the logging level of the global zap logger.',
  },
  'zap-encoding': { default: 'json', help: 'Zap logger encoding.' },
  'gate-storage': {
    default: 'in-memory',
    help: 'Where gate states are kept: in-memory, file:<path> or configmap:[<namespace>/]<name> (extension).',
  },
  kubeconfig: {
    default: '',
    help: 'Path to a kubeconfig, for -gate-storage=configmap out of cluster (extension).',
  },
  'allowed-namespaces': {
    default: '',
    help: 'Comma-separated namespaces whose canaries may run tasks; empty allows every namespace (extension).',
  },
  'disable-task-types': {
    default: '',
    help: `Comma-separated task types that are refused: ${Object.keys(TASK_FACTORIES).join(', ')} (extension).`,
  },
  'auth-token-file': {
    default: '',
    help:
      'File with the bearer token (or several, one per line) that task and gate requests must send; ' +
      're-read when it changes; empty serves everyone (extension).',
  },
  'max-output-bytes': {
    default: String(MAX_OUTPUT_BYTES),
    help: "The most output kept of a task's command, its end; the start is dropped with a note (extension).",
  },
  version: { default: false, help: 'Print version.' },
} satisfies Record<string, FlagSpec>;

export type GateStorageSpec =
  | { kind: 'in-memory' }
  | { kind: 'file'; path: string }
  | { kind: 'configmap'; namespace: string | undefined; name: string };

export interface LoadTesterFlags {
  logLevel: string;
  port: number;
  timeoutMs: number;
  namespaceRegexp: string;
  zapReplaceGlobals: boolean;
  zapEncoding: 'json' | 'console';
  gateStorage: GateStorageSpec;
  kubeconfig: string;
  /** Empty: every namespace may run tasks. */
  allowedNamespaces: string[];
  disabledTaskTypes: TaskType[];
  /** Empty: tasks and gates need no token. */
  authTokenFile: string;
  maxOutputBytes: number;
  version: boolean;
  help: boolean;
}

/** A bad command line; the binary prints the message and the usage, and exits 2 as Go's flag package does. */
export class FlagError extends Error {
  override name = 'FlagError';
}

/** Node timers cannot wait longer (about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Parses argv (without the node and script paths). */
export function parseLoadTesterFlags(argv: readonly string[]): LoadTesterFlags {
  const raw = readRaw(argv);
  const text = (name: keyof typeof LOADTESTER_FLAGS) =>
    String(raw.get(name) ?? LOADTESTER_FLAGS[name].default);
  const bool = (name: keyof typeof LOADTESTER_FLAGS) => raw.get(name) === true;
  return {
    logLevel: text('log-level'),
    port: parsePort(text('port')),
    timeoutMs: parseTimeout(text('timeout')),
    namespaceRegexp: parseRegexp(text('namespace-regexp')),
    zapReplaceGlobals: bool('zap-replace-globals'),
    zapEncoding: parseEncoding(text('zap-encoding')),
    gateStorage: parseGateStorage(text('gate-storage')),
    kubeconfig: text('kubeconfig'),
    allowedNamespaces: parseNamespaces(text('allowed-namespaces')),
    disabledTaskTypes: parseTaskTypes(text('disable-task-types')),
    authTokenFile: text('auth-token-file'),
    maxOutputBytes: parseByteCount(text('max-output-bytes')),
    version: bool('version'),
    help: raw.get('help') === true,
  };
}

function readRaw(argv: readonly string[]): Map<string, string | boolean> {
  const values = new Map<string, string | boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!match?.[1]) throw new FlagError(`unexpected argument ${JSON.stringify(arg)}`);
    const [, name, inline] = match;
    if (name === 'h' || name === 'help') {
      values.set('help', true);
      continue;
    }
    const spec = (LOADTESTER_FLAGS as Record<string, FlagSpec>)[name];
    if (!spec) throw new FlagError(`flag provided but not defined: -${name}`);
    if (typeof spec.default === 'boolean') {
      values.set(name, parseBool(name, inline));
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new FlagError(`flag needs an argument: -${name}`);
    values.set(name, value);
  }
  return values;
}

function parseBool(name: string, value: string | undefined): boolean {
  if (value === undefined || ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  throw new FlagError(`invalid boolean value ${JSON.stringify(value)} for -${name}`);
}

function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new FlagError(`invalid value ${JSON.stringify(value)} for -port`);
  return port;
}

function parseTimeout(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new FlagError(`invalid value ${JSON.stringify(value)} for -timeout: not a duration`);
  // A zero timeout would kill every command at once (Flagger's context expires immediately).
  if (ms <= 0 || ms > MAX_TIMEOUT_MS)
    throw new FlagError(`invalid value ${JSON.stringify(value)} for -timeout: must be between 1ms and 596h`);
  return ms;
}

// The output becomes one string (for the answer and the log), and V8 strings end near 512 MiB.
const MAX_OUTPUT_LIMIT = 256 * 1024 * 1024;

function parseByteCount(value: string): number {
  const bytes = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(bytes <= MAX_OUTPUT_LIMIT))
    throw new FlagError(
      `invalid value ${JSON.stringify(value)} for -max-output-bytes: want a number of bytes up to ${MAX_OUTPUT_LIMIT}`,
    );
  return bytes;
}

function parseRegexp(value: string): string {
  try {
    new RegExp(value);
  } catch (err) {
    throw new FlagError(
      `invalid value ${JSON.stringify(value)} for -namespace-regexp: ${(err as Error).message}`,
    );
  }
  return value;
}

function parseEncoding(value: string): 'json' | 'console' {
  if (value === 'json' || value === 'console') return value;
  throw new FlagError(
    `invalid value ${JSON.stringify(value)} for -zap-encoding: no encoder registered for name`,
  );
}

/** The items of a comma-separated list, trimmed; empty items are dropped. */
function listItems(value: string): string[] {
  return value
    .split(',')
    .map(item => item.trim())
    .filter(item => item !== '');
}

// A Kubernetes namespace name (an RFC 1123 label): a typo here would lock a namespace out without a word.
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function parseNamespaces(value: string): string[] {
  const names = listItems(value);
  const bad = names.find(name => !NAMESPACE_NAME.test(name));
  if (bad !== undefined) {
    throw new FlagError(
      `invalid value ${JSON.stringify(value)} for -allowed-namespaces: ${JSON.stringify(bad)} is not a namespace name`,
    );
  }
  return names;
}

function parseTaskTypes(value: string): TaskType[] {
  const types = listItems(value);
  const unknown = types.find(type => !isTaskType(type));
  if (unknown !== undefined) {
    throw new FlagError(
      `invalid value ${JSON.stringify(value)} for -disable-task-types: unknown task type ${JSON.stringify(unknown)} ` +
        `(known: ${Object.keys(TASK_FACTORIES).join(', ')})`,
    );
  }
  return types.filter(isTaskType);
}

/** `in-memory`, `file:<path>`, `configmap:<name>` or `configmap:<namespace>/<name>`. */
export function parseGateStorage(value: string): GateStorageSpec {
  if (value === 'in-memory' || value === 'memory') return { kind: 'in-memory' };
  const file = /^file:(.+)$/s.exec(value)?.[1];
  if (file !== undefined) return { kind: 'file', path: file };
  const configMap = /^configmap:(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(
    value,
  );
  if (configMap?.[3] !== undefined) return { kind: 'configmap', namespace: configMap[1], name: configMap[3] };
  throw new FlagError(
    `invalid value ${JSON.stringify(value)} for -gate-storage: want in-memory, file:<path> or configmap:[<namespace>/]<name>`,
  );
}

/** The usage text, one flag per line, like Go's flag package prints it. */
export function loadTesterUsage(): string {
  return Object.entries(LOADTESTER_FLAGS)
    .map(
      ([name, spec]: [string, FlagSpec]) =>
        `  -${name}\n    \t${spec.help} (default ${JSON.stringify(spec.default)})`,
    )
    .join('\n');
}
