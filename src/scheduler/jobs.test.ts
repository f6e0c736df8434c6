import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CanaryJobs } from './jobs.ts';

describe('CanaryJobs', () => {
  it('runs a new job at once, then every interval, never overlapping', async () => {
    let active = 0;
    let maxActive = 0;
    const runs: string[] = [];
    const jobs = new CanaryJobs(async key => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs.push(key);
      await sleep(15);
      active--;
    });
    jobs.ensure('a', 10);
    jobs.nudge('a');
    jobs.nudge('a');
    await sleep(120);
    await jobs.stop();
    assert.equal(maxActive, 1);
    assert.ok(runs.length >= 3, `ran ${runs.length} times`);
  });

  it('runs the next tick now when nudged between ticks', async () => {
    let runs = 0;
    const jobs = new CanaryJobs(() => {
      runs++;
      return Promise.resolve();
    });
    jobs.ensure('a', 60_000);
    await sleep(10);
    assert.equal(runs, 1);
    jobs.nudge('a');
    await sleep(10);
    assert.equal(runs, 2);
    await jobs.stop();
  });

  it('keeps a job whose interval is unchanged and stops removed jobs', async () => {
    let runs = 0;
    const jobs = new CanaryJobs(() => {
      runs++;
      return Promise.resolve();
    });
    jobs.ensure('a', 60_000);
    jobs.ensure('a', 60_000);
    await sleep(10);
    assert.equal(runs, 1);
    jobs.remove('a');
    jobs.nudge('a');
    await sleep(10);
    assert.equal(runs, 1);
    assert.equal(jobs.has('a'), false);
  });

  it('restarts a job whose interval changed', async () => {
    let runs = 0;
    const jobs = new CanaryJobs(() => {
      runs++;
      return Promise.resolve();
    });
    jobs.ensure('a', 60_000);
    await sleep(10);
    jobs.ensure('a', 30_000);
    await sleep(10);
    assert.equal(runs, 2);
    await jobs.stop();
  });

  it('starts a restarted job only after the running tick, even when nudged meanwhile', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    let first = true;
    const jobs = new CanaryJobs(async () => {
      const n = log.filter(l => l.startsWith('start')).length;
      log.push(`start ${String(n)}`);
      if (first) {
        first = false;
        await new Promise<void>(resolve => (release = resolve));
      }
      log.push(`end ${String(n)}`);
    });
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
