// What every CLI subcommand shares: its input and output streams, argument parsing, the connection to the
// cluster (--kubeconfig, KUBECONFIG or in-cluster, --context, -n/--namespace), -o table|json|yaml, colour on a
// terminal only, and errors that say what to do.
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import type { Canary } from '../../api/canary.ts';
import { API_VERSION } from '../../api/crds.ts';
import type { KubeClient } from '../../kube/client.ts';
import { connect } from '../../kube/config.ts';
import { KubeApiError } from '../../kube/errors.ts';
import { palette, type Palette } from './table.ts';

/** Where a command writes: process.stdout in the binary, a buffer in tests. */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  out: Sink;
  err: Sink;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT: watching commands stop. */
  signal?: AbortSignal;
  /** The clock, replaceable in tests. */
  now?: () => number;
}

/** A subcommand: its arguments (after the name) in, its exit code out. */
export type Command = (args: string[], io: Io) => Promise<number>;

/** Writes one line. */
export function println(sink: Sink, text = ''): void {
  sink.write(`${text}\n`);
}

/** A wrong invocation: the message and the command's usage are printed, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can act on: the message says what to do; exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
}

type OptionSpec = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** Options every cluster command accepts. */
export const CLUSTER_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

export const OUTPUT_OPTION = { output: { type: 'string', short: 'o' } } as const satisfies OptionSpec;

/**
 * Parses arguments with node's parseArgs. Long options are also accepted with one dash (-kubeconfig=x), as the
 * controller's Flagger-style flags are; a mistake becomes a UsageError.
 */
export function parseCommandArgs<const O extends OptionSpec>(args: string[], options: O) {
  const long = new Set(Object.keys(options ?? {}).filter(name => name.length > 1));
  const normalized = args.map(arg => {
    const match = /^-([a-z][a-z0-9-]+)(=.*)?$/i.exec(arg);
    return match?.[1] !== undefined && long.has(match[1]) ? `-${arg}` : arg;
  });
  try {
    return parseArgs({ args: normalized, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export type OutputFormat = 'table' | 'json' | 'yaml';

/** -o table|json|yaml (default table; "wide" is accepted as table). */
export function outputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'table' || value === 'wide') return 'table';
  if (value === 'json' || value === 'yaml') return value;
  throw new UsageError(`-o ${value} is not an output format: use table, json or yaml`);
}

/** Prints data as JSON or YAML. */
export function printStructured(io: Io, format: 'json' | 'yaml', data: unknown): void {
  io.out.write(format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : stringify(data));
}

/** Colour only on a terminal, and never with NO_COLOR set or TERM=dumb. */
export function colorsFor(sink: Sink, env: Io['env']): Palette {
  return palette(sink.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb');
}

/** The width output must fit: the terminal's, else unlimited (pipes and files are never cut). */
export function terminalWidth(sink: Sink): number {
  return sink.isTTY === true && sink.columns !== undefined && sink.columns > 0 ? sink.columns : Infinity;
}

export const nowOf = (io: Io): number => (io.now ?? Date.now)();

export interface Cluster {
  client: KubeClient;
  /** -n/--namespace, else the kubeconfig context's namespace, else "default". */
  namespace: string;
}

/** Connects with --kubeconfig (else KUBECONFIG, ~/.kube/config or the in-cluster service account). */
export function connectCluster(values: {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}): Cluster {
  let client: KubeClient;
  try {
    client = connect({
      ...(values.kubeconfig !== undefined && { kubeconfig: values.kubeconfig }),
      fieldManager: 'flagger-cli',
    });
  } catch (err) {
    throw new CliError(
      `cannot load cluster credentials: ${(err as Error).message}: pass --kubeconfig=FILE or set KUBECONFIG`,
    );
  }
  const kc = client.kubeConfig;
  if (values.context !== undefined) {
    if (!kc.getContexts().some(c => c.name === values.context)) {
      const known = kc.getContexts().map(c => c.name);
      throw new CliError(
        `context ${values.context} is not in the kubeconfig: use one of ${known.join(', ')}`,
      );
    }
    kc.setCurrentContext(values.context);
  }
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return { client, namespace: values.namespace ?? (contextNamespace || 'default') };
}

export const canaryRef = (namespace: string, name: string) => ({
  apiVersion: API_VERSION,
  kind: 'Canary',
  name,
  namespace,
});

/** Reads a canary; a missing one (or a cluster without the CRD) is a CliError saying what to check. */
export async function getCanary(client: KubeClient, namespace: string, name: string): Promise<Canary> {
  try {
    return await client.get<Canary>(canaryRef(namespace, name));
  } catch (err) {
    throw explainKubeError(err, { namespace, name });
  }
}

/** An API error in words a user can act on. */
export function explainKubeError(err: unknown, canary?: { namespace: string; name?: string }): Error {
  if (!(err instanceof KubeApiError)) return err instanceof Error ? err : new Error(String(err));
  if (err.reason === 'NotFound' && /does not serve/.test(err.message)) {
    return new CliError(
      'this cluster has no Canary kind (flagger.app/v1beta1): install the CRDs with kubectl apply -k deploy/crds',
    );
  }
  if (err.reason === 'NotFound' && canary?.name !== undefined) {
    return new CliError(
      `canary ${canary.name} not found in namespace ${canary.namespace}: check the name and -n ` +
        '(flagger get canaries -A lists every canary)',
    );
  }
  if (err.reason === 'Forbidden') {
    return new CliError(`${err.message}: your credentials lack the permission; check --kubeconfig/--context`);
  }
  if (err.reason === 'Transient' && err.code === 0) {
    return new CliError(
      `cannot reach the API server: ${err.message}: check --kubeconfig, KUBECONFIG or --context`,
    );
  }
  return new CliError(err.message);
}

/**
 * Runs a command body and turns its errors into exit codes: a UsageError prints the usage (2), a CliError or
 * an API error its message (1). Anything else is a bug and is rethrown.
 */
export async function run(io: Io, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      println(io.err, `error: ${err.message}`);
      println(io.err, usage);
      return 2;
    }
    const explained = err instanceof KubeApiError ? explainKubeError(err) : err;
    if (explained instanceof CliError) {
      println(io.err, `error: ${explained.message}`);
      return 1;
    }
    throw explained;
  }
}

/** Prints the usage and exits 0 when -h/--help was given. */
export function helpRequested(io: Io, values: { help?: boolean }, usage: string): boolean {
  if (values.help !== true) return false;
  println(io.out, usage);
  return true;
}

/** Exactly one positional NAME, else a UsageError. */
export function singleName(positionals: string[], what = 'NAME'): string {
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError(`${what} is missing`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  return name;
}
