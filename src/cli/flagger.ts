// The `flagger` binary: the controller (Flagger's flags, no subcommand) and the CLI subcommands.
import { VERSION } from '../version.ts';
import { COMMANDS, helpText, runSubcommand } from './commands/index.ts';
import { runDemo } from './demo.ts';
import { runController } from './run-controller.ts';
import { runValidate } from './validate.ts';

const out = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'version':
      out(VERSION);
      return 0;
    case 'validate':
      return runValidate(
        rest.filter(a => !a.startsWith('-')),
        optionsFrom(rest),
        out,
      );
    case 'demo':
      await runDemo({ exit: rest.includes('--exit'), out });
      return 0;
    case 'help':
      out(helpText());
      return 0;
    default:
      // The CLI subcommands (get, describe, status, plan, lint, promote, abort, pause, resume, retry).
      if (command !== undefined && Object.hasOwn(COMMANDS, command)) return runSubcommand(command, rest);
      // Anything else is Flagger's own invocation: the controller with its flags.
      return runController(argv);
  }
}

/** --mesh-provider=X and --no-cross-namespace-refs, accepted with one or two dashes as Flagger's flags are. */
function optionsFrom(args: string[]): { meshProvider: string; noCrossNamespaceRefs: boolean } {
  const flag = (name: string) => args.find(a => a.replace(/^--?/, '').startsWith(`${name}=`))?.split('=')[1];
  return {
    meshProvider: flag('mesh-provider') ?? 'istio',
    noCrossNamespaceRefs: args.some(a => a.replace(/^--?/, '') === 'no-cross-namespace-refs'),
  };
}

process.exitCode = await main(process.argv.slice(2));
