import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CanaryJobs, type TickEnd } from './jobs.ts';

const HOUR = 3_600_000;

/** Jobs whose ticks are counted and end as `end` says. */
function counted(end: () => TickEnd = () => 'retry', idleResyncMs = HOUR) {
  const counter = { runs: 0 };
  const jobs = new CanaryJobs(
    () => {
      counter.runs++;
      return Promise.resolve(end());
    },
    { idleResyncMs },
  );
  return { jobs, counter };
}

describe('CanaryJobs', () => {
  it('runs a new job at once, then every interval, never overlapping', async () => {
    let active = 0;
    let maxActive = 0;
    const runs: string[] = [];
    const jobs = new CanaryJobs(
      async key => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.push(key);
        await sleep(15);
        active--;
        return 'retry';
      },
      { idleResyncMs: HOUR },
    );
    jobs.ensure('a', 10);
    jobs.nudge('a');
    jobs.nudge('a');
    await sleep(120);
    await jobs.stop();
    assert.equal(maxActive, 1);
    assert.ok(runs.length >= 3, `ran ${runs.length} times`);
  });

  it('runs at most maxTicksInFlight ticks at once, the others in order once a slot frees', async () => {
    let active = 0;
    let maxActive = 0;
    const order: string[] = [];
    const jobs = new CanaryJobs(
      async key => {
        active++;
        maxActive = Math.max(maxActive, active);
        order.push(key);
        await sleep(20);
        active--;
        return 'idle';
      },
      { idleResyncMs: HOUR, maxTicksInFlight: 2 },
    );
    for (const key of ['a', 'b', 'c', 'd', 'e']) jobs.ensure(key, 60_000);
    jobs.remove('e');
    await sleep(150);
    assert.equal(maxActive, 2);
    assert.deepEqual(order, ['a', 'b', 'c', 'd'], 'in order, and a removed job does not tick');
    await jobs.stop();
  });

  it('times ticks from the start of the previous one, as a ticker does', async () => {
    const starts: number[] = [];
    const jobs = new CanaryJobs(
      async () => {
        starts.push(Date.now());
        await sleep(120);
        return 'retry';
      },
      { idleResyncMs: HOUR },
    );
    // Ticks start at 0, 200 and 400ms; timed from their ends they would start at 0, 320 and 640ms.
    jobs.ensure('a', 200);
    await sleep(500);
    await jobs.stop();
    assert.equal(starts.length, 3, 'a tick of 120ms does not push the next ones back');
  });

  it('runs the next tick now when nudged between ticks', async () => {
    const { jobs, counter } = counted();
    jobs.ensure('a', 60_000);
    await sleep(10);
    assert.equal(counter.runs, 1);
    jobs.nudge('a');
    await sleep(10);
    assert.equal(counter.runs, 2);
    await jobs.stop();
  });

  it('waits for a nudge or the resync after an idle tick, not for the interval', async () => {
    const { jobs, counter } = counted(() => 'idle', 400);
    jobs.ensure('a', 20);
    await sleep(100);
    assert.equal(counter.runs, 1, 'no tick per interval while idle');
    jobs.nudge('a');
    await sleep(10);
    assert.equal(counter.runs, 2);
    // The resync comes 400 to 600ms after the nudged tick.
    await sleep(700);
    assert.equal(counter.runs, 3, 'one resync');
    await jobs.stop();
  });

  it('runs a nudge that came during a tick after it, unless the tick is analysing', async () => {
    for (const end of ['idle', 'retry', 'analysing'] as const) {
      let release: () => void = () => undefined;
      const runs: boolean[] = [];
      const jobs = new CanaryJobs(
        async (_key, requestOnly) => {
          runs.push(requestOnly);
          if (runs.length === 1) await new Promise<void>(resolve => (release = resolve));
          return end;
        },
        { idleResyncMs: HOUR },
      );
      jobs.ensure('a', 60_000);
      await sleep(10);
      jobs.nudge('a');
      release();
      await sleep(20);
      // An analysing tick may have taken a step: another at once would take the next before its interval.
      assert.deepEqual(runs, end === 'analysing' ? [false] : [false, false], end);
      await jobs.stop();
    }
  });

  it('re-runs a request that came during a tick as a tick that acts only if it is still pending', async () => {
    let release: () => void = () => undefined;
    const runs: boolean[] = [];
    const jobs = new CanaryJobs(
      async (_key, requestOnly) => {
        runs.push(requestOnly);
        if (runs.length === 1) await new Promise<void>(resolve => (release = resolve));
        return 'analysing';
      },
      { idleResyncMs: HOUR },
    );
    jobs.ensure('a', 60_000);
    await sleep(10);
    jobs.request('a');
    jobs.nudge('a');
    release();
    await sleep(20);
    assert.deepEqual(runs, [false, true]);
    await jobs.stop();
  });

  it('leaves an analysis to its interval when nudged, and runs a request at once', async () => {
    const { jobs, counter } = counted(() => 'analysing');
    jobs.ensure('a', 60_000);
    await sleep(10);
    jobs.nudge('a');
    await sleep(10);
    assert.equal(counter.runs, 1, 'a change waits for the next step');
    jobs.request('a');
    await sleep(10);
    assert.equal(counter.runs, 2, 'a control annotation acts at once');
    await jobs.stop();
  });

  it('keeps a job whose interval is unchanged and stops removed jobs', async () => {
    const { jobs, counter } = counted();
    assert.equal(jobs.ensure('a', 60_000), true);
    assert.equal(jobs.ensure('a', 60_000), false);
    await sleep(10);
    assert.equal(counter.runs, 1);
    jobs.remove('a');
    jobs.nudge('a');
    await sleep(10);
    assert.equal(counter.runs, 1);
    assert.equal(jobs.has('a'), false);
  });

  it('restarts a job whose interval changed', async () => {
    const { jobs, counter } = counted();
    jobs.ensure('a', 60_000);
    await sleep(10);
    assert.equal(jobs.ensure('a', 30_000), true);
    await sleep(10);
    assert.equal(counter.runs, 2);
    await jobs.stop();
  });

  it('starts a restarted job only after the running tick, even when nudged meanwhile', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    let first = true;
    const jobs = new CanaryJobs(
      async () => {
        const n = log.filter(l => l.startsWith('start')).length;
        log.push(`start ${String(n)}`);
        if (first) {
          first = false;
          await new Promise<void>(resolve => (release = resolve));
        }
        log.push(`end ${String(n)}`);
        return 'retry';
      },
      { idleResyncMs: HOUR },
    );
    jobs.ensure('a', 60_000);
    await sleep(10);
    jobs.ensure('a', 30_000);
    jobs.nudge('a');
    await sleep(10);
    assert.deepEqual(log, ['start 0'], 'no tick beside the running one');
    release();
    await sleep(20);
    assert.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1']);
    await jobs.stop();
  });
});
