// Cost: what N idle canaries cost the controller (resident memory, CPU, API requests per canary per minute, the
// time to initialise them all), then, with --progressing P, what P canaries analysed at once cost per step.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  initTimeoutMs,
  intervalMs,
  progress,
  snapshot,
  type Benchmark,
  type Snapshot,
} from './lib/benchmark.ts';
import type { BenchEnv } from './lib/bench-env.ts';
import { iterationsAnalysis, type CanaryRef } from './lib/fleet.ts';
import type { Row } from './lib/report.ts';
import { delta, fmt, fmtBreakdown, inPool, sum } from './lib/stats.ts';

export const cost: Benchmark = {
  name: 'cost',
  title: 'Cost per canary: idle and progressing',
  defaults: { canaries: 10, progressing: 0, interval: '10s', steps: 3, idleSeconds: 60 },
  async run(env, options) {
    const count = Math.max(options.canaries, options.progressing);
    progress(`creating ${count} canaries`);
    const refs = await env.fleet.create({
      prefix: 'idle',
      count,
      replicas: 0,
      analysis: iterationsAnalysis(options.interval, options.steps),
    });
    const controller = await env.startController();
    await env.fleet.waitForPhase(refs, ['Initialized'], initTimeoutMs(count));
    const initSeconds = (Date.now() - controller.startedAt) / 1000;
    // The ticks right after initialisation (events, the first idle tick) are not idle cost.
    progress(`initialised in ${fmt(initSeconds)}s; settling`);
    await sleep(intervalMs(options) + 5_000);
    progress(`measuring idle for ${options.idleSeconds}s`);
    const start = await snapshot(env);
    await sleep(options.idleSeconds * 1000);
    const end = await snapshot(env);
    const row: Row = [
      ['canaries', String(count)],
      ['interval', options.interval],
      ['init s', fmt(initSeconds)],
      ...idleCells(start, end, count),
    ];
    if (options.progressing === 0) return row;
    return [...row, ...(await progressingCells(env, refs.slice(0, options.progressing)))];
  },
};

function idleCells(start: Snapshot, end: Snapshot, count: number): Row {
  const minutes = (end.at - start.at) / 60_000;
  const perCanaryMinute = 1 / count / minutes;
  const controller = delta(start.controllerVerbs, end.controllerVerbs);
  const api = delta(start.apiVerbs, end.apiVerbs);
  progress(`API server requests while idle (all clients), by resource:\n${breakdownLines(start, end)}`);
  return [
    ['RSS MB', fmt(end.usage.rssMb)],
    ['idle CPU s/min', fmt((end.usage.cpuSeconds - start.usage.cpuSeconds) / minutes)],
    ['idle req/canary/min', fmt(sum(controller) * perCanaryMinute)],
    ['idle req/canary/min by verb', fmtBreakdown(controller, perCanaryMinute)],
    ['apiserver idle req/canary/min (all clients)', fmtBreakdown(api, perCanaryMinute)],
  ];
}

async function progressingCells(env: BenchEnv, refs: readonly CanaryRef[]): Promise<Row> {
  progress(`releasing ${refs.length} canaries at once`);
  const start = await snapshot(env);
  await inPool(refs, 16, ref => env.fleet.release(ref, 'bench/app:2'));
  await env.fleet.waitForPhase(refs, ['Succeeded'], initTimeoutMs(refs.length) * 2);
  const end = await snapshot(env);
  const minutes = (end.at - start.at) / 60_000;
  const steps = end.steps - start.steps;
  const controller = delta(start.controllerVerbs, end.controllerVerbs);
  const api = delta(start.apiVerbs, end.apiVerbs);
  progress(
    `API server requests during the releases (all clients), by resource:\n${breakdownLines(start, end)}`,
  );
  return [
    ['progressing', String(refs.length)],
    ['release s', fmt(minutes * 60)],
    ['steps', String(steps)],
    ['req/canary/step', fmt(sum(controller) / steps)],
    ['req/canary/step by verb', fmtBreakdown(controller, 1 / steps)],
    ['apiserver req/canary/step (all clients)', fmtBreakdown(api, 1 / steps)],
    ['release CPU s/min', fmt((end.usage.cpuSeconds - start.usage.cpuSeconds) / minutes)],
    ['peak RSS MB', fmt(end.usage.peakRssMb)],
  ];
}

function breakdownLines(start: Snapshot, end: Snapshot): string {
  return [...delta(start.apiResources, end.apiResources)]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `  ${key}: ${n}`)
    .join('\n');
}
