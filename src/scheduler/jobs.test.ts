// On a mocked clock (test/harness/mock-clock.ts): the times below are exact, whatever the machine's speed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useMockClock } from '../../test/harness/mock-clock.ts';
import { CanaryJobs, type JobsOptions, type TickEnd } from './jobs.ts';

const HOUR = 3_600_000;
const clock = useMockClock();

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

/**
 * Jobs whose ticks take `ms`, with the most ticks seen running at once, and the keys and start times of the
 * ticks in the order they ran.
 */
function overlapping(ms: number, end: TickEnd, options: JobsOptions = { idleResyncMs: HOUR }) {
  const seen = { active: 0, maxActive: 0, keys: [] as string[], starts: [] as number[] };
  const jobs = new CanaryJobs(async key => {
    seen.active++;
    seen.maxActive = Math.max(seen.maxActive, seen.active);
    seen.keys.push(key);
    seen.starts.push(Date.now());
    await clock.sleep(ms);
    seen.active--;
    return end;
  }, options);
  return { jobs, seen };
}

/** Jobs whose first tick runs until release(); `runs` holds each tick's requestOnly. */
function firstTickHeld(end: TickEnd) {
  const held: { release: () => void; runs: boolean[] } = { release: () => undefined, runs: [] };
  const jobs = new CanaryJobs(
    async (_key, requestOnly) => {
      held.runs.push(requestOnly);
      if (held.runs.length === 1) await new Promise<void>(resolve => (held.release = resolve));
      return end;
    },
    { idleResyncMs: HOUR },
  );
  return { jobs, held };
}

describe('CanaryJobs', () => {
  it('runs a new job at once, then every interval, never overlapping', async () => {
    const { jobs, seen } = overlapping(15, 'retry');
    jobs.ensure('a', 10);
    jobs.nudge('a');
    jobs.nudge('a');
    await clock.advance(130);
    await jobs.stop();
    assert.equal(seen.maxActive, 1);
    // The nudges during the first tick run one tick right after it; then ticks keep to the 10ms beats, skipping
    // those a 15ms tick overran.
    assert.deepEqual(seen.starts, [0, 15, 35, 55, 75, 95, 115]);
  });

  it('runs at most maxTicksInFlight ticks at once, the others in order once a slot frees', async () => {
    const { jobs, seen } = overlapping(20, 'idle', { idleResyncMs: HOUR, maxTicksInFlight: 2 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) jobs.ensure(key, 60_000);
    jobs.remove('e');
    await clock.advance(40);
    assert.equal(seen.maxActive, 2);
    assert.deepEqual(seen.keys, ['a', 'b', 'c', 'd'], 'in order, and a removed job does not tick');
    assert.deepEqual(seen.starts, [0, 0, 20, 20]);
    await jobs.stop();
  });

  it('times ticks from the start of the previous one, as a ticker does', async () => {
    const { jobs, seen } = overlapping(120, 'retry');
    // Timed from their ends, ticks of 120ms every 200ms would start at 0, 320 and 640ms.
    jobs.ensure('a', 200);
    await clock.advance(520);
    await jobs.stop();
    assert.deepEqual(seen.starts, [0, 200, 400], 'a tick of 120ms does not push the next ones back');
  });

  it('runs the next tick now when nudged between ticks', async () => {
    const { jobs, counter } = counted();
    jobs.ensure('a', 60_000);
    await clock.settle();
    assert.equal(counter.runs, 1);
    jobs.nudge('a');
    await clock.settle();
    assert.equal(counter.runs, 2);
    await jobs.stop();
  });

  it('waits for a nudge or the resync after an idle tick, not for the interval', async () => {
    const { jobs, counter } = counted(() => 'idle', 400);
    jobs.ensure('a', 20);
    await clock.advance(100);
    assert.equal(counter.runs, 1, 'no tick per interval while idle');
    jobs.nudge('a');
    await clock.settle();
    assert.equal(counter.runs, 2);
    // The resync comes 400 to 600ms after the nudged tick (spread at random), the next one 400ms later at least.
    await clock.advance(399);
    assert.equal(counter.runs, 2, 'no resync before 400ms');
    await clock.advance(201);
    assert.equal(counter.runs, 3, 'one resync by 600ms');
    await jobs.stop();
  });

  it('runs a nudge that came during a tick after it, unless the tick is analysing', async () => {
    for (const end of ['idle', 'retry', 'analysing'] as const) {
      const { jobs, held } = firstTickHeld(end);
      jobs.ensure('a', 60_000);
      await clock.settle();
      jobs.nudge('a');
      held.release();
      await clock.settle();
      // An analysing tick may have taken a step: another at once would take the next before its interval.
      assert.deepEqual(held.runs, end === 'analysing' ? [false] : [false, false], end);
      await jobs.stop();
    }
  });

  it('re-runs a request that came during a tick as a tick that acts only if it is still pending', async () => {
    const { jobs, held } = firstTickHeld('analysing');
    jobs.ensure('a', 60_000);
    await clock.settle();
    jobs.request('a');
    jobs.nudge('a');
    held.release();
    await clock.settle();
    assert.deepEqual(held.runs, [false, true]);
    await jobs.stop();
  });

  it('leaves an analysis to its interval when nudged, and runs a request at once', async () => {
    const { jobs, counter } = counted(() => 'analysing');
    jobs.ensure('a', 60_000);
    await clock.settle();
    jobs.nudge('a');
    await clock.settle();
    assert.equal(counter.runs, 1, 'a change waits for the next step');
    jobs.request('a');
    await clock.settle();
    assert.equal(counter.runs, 2, 'a control annotation acts at once');
    await jobs.stop();
  });

  it('keeps a job whose interval is unchanged and stops removed jobs', async () => {
    const { jobs, counter } = counted();
    assert.equal(jobs.ensure('a', 60_000), true);
    assert.equal(jobs.ensure('a', 60_000), false);
    await clock.settle();
    assert.equal(counter.runs, 1);
    jobs.remove('a');
    jobs.nudge('a');
    await clock.settle();
    assert.equal(counter.runs, 1);
    assert.equal(jobs.has('a'), false);
  });

  it('restarts a job whose interval changed', async () => {
    const { jobs, counter } = counted();
    jobs.ensure('a', 60_000);
    await clock.settle();
    assert.equal(jobs.ensure('a', 30_000), true);
    await clock.settle();
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
    await clock.settle();
    jobs.ensure('a', 30_000);
    jobs.nudge('a');
    await clock.settle();
    assert.deepEqual(log, ['start 0'], 'no tick beside the running one');
    release();
    await clock.settle();
    assert.deepEqual(log, ['start 0', 'end 0', 'start 1', 'end 1']);
    await jobs.stop();
  });
});
