// The CLI subcommands of the `flagger` binary, by name, and how the binary runs one: process streams, the
// environment, and SIGINT (Ctrl-C) to stop the watching ones.
import { println, type Command, type Io } from './common.ts';
import { controlCommand } from './control.ts';
import { runDashboard } from './dashboard.ts';
import { runDescribe } from './describe.ts';
import { runGet } from './get.ts';
import { runLint } from './lint.ts';
import { runPlan } from './plan.ts';
import { runStatus } from './status.ts';

export const COMMANDS: Readonly<Record<string, { run: Command; summary: string }>> = {
  get: { run: runGet, summary: 'list canaries and where their releases are (-A, -w)' },
  describe: {
    run: runDescribe,
    summary: 'one canary: spec, step, decision record, conditions, events, objects',
  },
  status: { run: runStatus, summary: 'for CI: exit 0 promoted, 1 failed, 2 under way or timed out (--wait)' },
  plan: {
    run: runPlan,
    summary: 'the predicted timeline of the next release; -f FILE [--diff] for a change',
  },
  lint: { run: runLint, summary: 'check Canary, MetricTemplate and AlertProvider YAML offline' },
  promote: {
    run: controlCommand('promote'),
    summary: 'run the next analysis step now (--full: promote now)',
  },
  abort: { run: controlCommand('abort'), summary: 'roll the current release back now' },
  pause: { run: controlCommand('pause'), summary: 'leave the canary as it is until resume' },
  resume: { run: controlCommand('resume'), summary: 'resume a paused canary' },
  retry: { run: controlCommand('retry'), summary: 'start the analysis of the current revision over' },
  dashboard: {
    run: runDashboard,
    summary: 'the live web dashboard (--port 3100, --read-only, --auth token)',
  },
};

/** The binary's help: the subcommands and how to run the controller. */
export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map(name => name.length)) + 2;
  return [
    'usage: flagger COMMAND [ARGS] (flagger COMMAND -h for its options)',
    "       flagger [-flags]   runs the controller, with Flagger's flags",
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    `  ${'validate'.padEnd(width)}check YAML files (as lint)`,
    `  ${'version'.padEnd(width)}print the version`,
    `  ${'demo'.padEnd(width)}run two releases on a local control plane`,
  ].join('\n');
}

/** Runs a subcommand on the process's streams; SIGINT aborts it instead of killing the process. */
export async function runSubcommand(name: string, args: string[]): Promise<number> {
  const command = COMMANDS[name];
  if (command === undefined) {
    println(process.stderr, `error: unknown command ${name}\n${helpText()}`);
    return 2;
  }
  // Output piped into a reader that stops early (| head) ends the command quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  const io: Io = { out: process.stdout, err: process.stderr, env: process.env, signal: interrupt.signal };
  try {
    return await command.run(args, io);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
