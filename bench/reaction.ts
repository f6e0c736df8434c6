// Reaction: the time from a target's new image (the moment the API server answered the patch) to the Canary's
// status.phase Progressing, as seen by a watch on Canaries; one release at a time, with idle canaries around.
import { setTimeout as sleep } from 'node:timers/promises';
import { initTimeoutMs, progress, type Benchmark } from './lib/benchmark.ts';
import { iterationsAnalysis, keyOf, type CanaryRef } from './lib/fleet.ts';
import { fmt, quantile } from './lib/stats.ts';

/** No phase in this long means the release was missed. */
const RELEASE_TIMEOUT_MS = 120_000;

export const reaction: Benchmark = {
  name: 'reaction',
  title: 'Reaction: target change to status Progressing',
  defaults: { canaries: 0, releases: 100, interval: '1m', steps: 1 },
  async run(env, options) {
    const analysis = iterationsAnalysis(options.interval, options.steps);
    progress(`creating ${options.canaries} idle canaries and ${options.releases} to release`);
    const idle = await env.fleet.create({ prefix: 'idle', count: options.canaries, replicas: 0, analysis });
    const subjects = await env.fleet.create({
      prefix: 'release',
      count: options.releases,
      replicas: 1,
      analysis,
    });
    await env.startController();
    const all = [...idle, ...subjects];
    await env.fleet.waitForPhase(all, ['Initialized'], initTimeoutMs(all.length));
    progress('all initialised; releasing one at a time');
    const waiting = new Map<string, (at: number) => void>();
    env.fleet.onPhase((key, phase, at) => {
      if (phase === 'Progressing') waiting.get(key)?.(at);
    });
    const latencies: number[] = [];
    for (const ref of subjects) {
      latencies.push(await timeRelease(ref));
      // A pause of varying length, so that releases do not fall into step with any timer of the controller.
      await sleep(100 + Math.random() * 400);
    }
    return [
      ['idle canaries', String(options.canaries)],
      ['releases', String(latencies.length)],
      ['interval', options.interval],
      ['p50 ms', fmt(quantile(latencies, 0.5))],
      ['p99 ms', fmt(quantile(latencies, 0.99))],
      ['max ms', fmt(Math.max(...latencies))],
    ];

    async function timeRelease(ref: CanaryRef): Promise<number> {
      const key = keyOf(ref);
      let timer: NodeJS.Timeout | undefined;
      const seen = new Promise<number>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`${key} not Progressing`)), RELEASE_TIMEOUT_MS);
        waiting.set(key, resolve);
      });
      try {
        await env.fleet.release(ref, 'bench/app:2');
        const released = Date.now();
        return (await seen) - released;
      } finally {
        clearTimeout(timer);
        waiting.delete(key);
      }
    }
  },
};
