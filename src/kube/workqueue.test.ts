import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkQueue } from './workqueue.ts';

describe('WorkQueue', () => {
  it('keeps a key queued once however often it is added', async () => {
    const queue = new WorkQueue();
    const seen: string[] = [];
    queue.add('a');
    queue.add('b');
    queue.add('a');
    assert.equal(queue.length, 2);
    const running = queue.run(
      1,
      key => Promise.resolve(void seen.push(key)),
      () => undefined,
    );
    await sleep(20);
    queue.shutdown();
    await running;
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('never hands one key to two workers, and re-runs a key added while it was handled', async () => {
    const queue = new WorkQueue();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const handler = async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      if (runs === 1) queue.add('k');
      await sleep(10);
      active--;
    };
    queue.add('k');
    const running = queue.run(4, handler, () => undefined);
    await sleep(60);
    queue.shutdown();
    await running;
    assert.equal(maxActive, 1);
    assert.equal(runs, 2);
  });

  it('retries a failing key with growing delays and forgets failures after a success', async () => {
    const queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 80 });
    const times: number[] = [];
    const errors: unknown[] = [];
    const handler = (): Promise<void> => {
      times.push(Date.now());
      return times.length < 4 ? Promise.reject(new Error('boom')) : Promise.resolve();
    };
    queue.add('k');
    const running = queue.run(1, handler, (_, err) => errors.push(err));
    await sleep(300);
    queue.shutdown();
    await running;
    assert.equal(times.length, 4);
    assert.equal(errors.length, 3);
    assert.equal(queue.failureCount('k'), 0);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    assert.ok((gaps[2] ?? 0) >= (gaps[0] ?? 0), `delays should grow: ${gaps.join(',')}`);
  });

  it('adds a key after a delay, keeping the earliest pending delay', async () => {
    const queue = new WorkQueue();
    queue.addAfter('k', 30);
    queue.addAfter('k', 1_000);
    assert.equal(queue.length, 0);
    await sleep(60);
    assert.equal(queue.length, 1);
    queue.shutdown();
  });
});
