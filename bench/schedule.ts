// Schedule accuracy: P canaries released at once; the time between consecutive "Advance ... canary iteration"
// log lines of each canary (millisecond timestamps of the controller's JSON log) minus analysis.interval is the
// drift of a tick. A tick starts one interval after the previous one ended, so the drift includes how long a tick
// takes, plus any wait for the API server (client-side rate limit) or the event loop.
import { initTimeoutMs, intervalMs, progress, type Benchmark } from './lib/benchmark.ts';
import { iterationsAnalysis } from './lib/fleet.ts';
import { fmt, inPool, quantile } from './lib/stats.ts';

const ADVANCE = /^Advance \S+ canary iteration \d+\/\d+$/;

export const schedule: Benchmark = {
  name: 'schedule',
  title: 'Schedule accuracy: drift of analysis ticks',
  defaults: { canaries: 0, progressing: 10, interval: '10s', steps: 5 },
  async run(env, options) {
    const analysis = iterationsAnalysis(options.interval, options.steps);
    progress(`creating ${options.canaries} idle and ${options.progressing} progressing canaries`);
    const idle = await env.fleet.create({ prefix: 'idle', count: options.canaries, replicas: 0, analysis });
    const released = await env.fleet.create({
      prefix: 'progress',
      count: options.progressing,
      replicas: 1,
      analysis,
    });
    const controller = await env.startController();
    const all = [...idle, ...released];
    await env.fleet.waitForPhase(all, ['Initialized'], initTimeoutMs(all.length));
    const ticks = new Map<string, number[]>();
    controller.onLog(line => {
      if (line.canary === undefined || !ADVANCE.test(line.msg)) return;
      const times = ticks.get(line.canary) ?? [];
      times.push(Date.parse(line.ts));
      ticks.set(line.canary, times);
    });
    progress(`releasing ${released.length} canaries at once`);
    await inPool(released, 16, ref => env.fleet.release(ref, 'bench/app:2'));
    const runMs = intervalMs(options) * (options.steps + 6);
    await env.fleet.waitForPhase(released, ['Succeeded'], initTimeoutMs(released.length) + runMs * 3);
    const drifts = [...ticks.values()].flatMap(times =>
      times.slice(1).map((at, i) => at - (times[i] ?? at) - intervalMs(options)),
    );
    return [
      ['idle canaries', String(options.canaries)],
      ['progressing', String(released.length)],
      ['interval', options.interval],
      ['ticks', String(drifts.length)],
      ['p50 drift ms', fmt(quantile(drifts, 0.5))],
      ['p99 drift ms', fmt(quantile(drifts, 0.99))],
      ['max drift ms', fmt(Math.max(...drifts))],
    ];
  },
};
