// `npm run bench -- <name> [options]`: runs one benchmark on a fresh local control plane, prints its result as a
// markdown table, and with --record appends the row to bench/results/<name>.md. See bench/README.md.
import { parseArgs } from 'node:util';
import { cost } from './cost.ts';
import { BenchEnv } from './lib/bench-env.ts';
import { progress, type Benchmark, type BenchOptions } from './lib/benchmark.ts';
import { header, markdownRow, provenance, record } from './lib/report.ts';
import { metricsLoad } from './metrics-load.ts';
import { reaction } from './reaction.ts';
import { schedule } from './schedule.ts';
import { soak } from './soak.ts';

const BENCHMARKS: readonly Benchmark[] = [reaction, cost, schedule, metricsLoad, soak];

const USAGE = `usage: npm run bench -- <${BENCHMARKS.map(b => b.name).join('|')}> [options]
  --canaries N       idle canaries (cost: the canaries measured idle)
  --progressing P    canaries released at once (cost, schedule, metrics)
  --releases R       releases one after another (reaction)
  --interval D       analysis.interval of every canary, a Go duration
  --steps K          analysis.iterations of every canary
  --metrics M        builtin | template (metrics)
  --idle-seconds S   idle measurement window (cost)
  --minutes M        length of the run: minutes of releases (soak)
  --kill-every S     seconds between two kill -9 of the controller, 0 for none (soak)
  --flag F           an extra controller flag, e.g. --flag=-kubeconfig-qps=500 (repeatable)
  --node-flag F      a Node.js flag of the controller process, e.g. --node-flag=--max-old-space-size=128
  --record           append the row to bench/results/<name>.md`;

function parse(argv: string[]): { benchmark: Benchmark; options: BenchOptions; save: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      canaries: { type: 'string' },
      progressing: { type: 'string' },
      releases: { type: 'string' },
      interval: { type: 'string' },
      steps: { type: 'string' },
      metrics: { type: 'string' },
      'idle-seconds': { type: 'string' },
      minutes: { type: 'string' },
      'kill-every': { type: 'string' },
      flag: { type: 'string', multiple: true },
      'node-flag': { type: 'string', multiple: true },
      record: { type: 'boolean' },
    },
  });
  const benchmark = BENCHMARKS.find(b => b.name === positionals[0]);
  if (!benchmark || positionals.length !== 1) throw new Error(USAGE);
  const d = benchmark.defaults;
  const count = (value: string | undefined, fallback: number | undefined) => {
    const n = Number(value ?? fallback ?? 0);
    if (!Number.isInteger(n) || n < 0) throw new Error(`not a count: ${value ?? ''}\n${USAGE}`);
    return n;
  };
  const metrics = values.metrics ?? d.metrics ?? 'builtin';
  if (metrics !== 'builtin' && metrics !== 'template') throw new Error(USAGE);
  const options: BenchOptions = {
    canaries: count(values.canaries, d.canaries),
    progressing: count(values.progressing, d.progressing),
    releases: count(values.releases, d.releases),
    interval: values.interval ?? d.interval ?? '10s',
    steps: count(values.steps, d.steps ?? 3),
    metrics,
    idleSeconds: count(values['idle-seconds'], d.idleSeconds ?? 60),
    minutes: count(values.minutes, d.minutes ?? 60),
    killEvery: count(values['kill-every'], d.killEvery ?? 300),
    flags: values.flag ?? [],
    nodeFlags: values['node-flag'] ?? [],
  };
  return { benchmark, options, save: values.record === true };
}

async function main(): Promise<void> {
  const { benchmark, options, save } = parse(process.argv.slice(2));
  const where = provenance();
  progress(`${benchmark.name}: starting a control plane`);
  const env = await BenchEnv.start(options);
  try {
    const row = await benchmark.run(env, options);
    process.stdout.write(`${header(row)}\n${markdownRow(row, where)}\n`);
    if (save) {
      const file = new URL(`results/${benchmark.name}.md`, import.meta.url);
      record(file, benchmark.title, row, where);
      progress(`recorded in ${file.pathname}`);
    }
  } finally {
    await env.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
