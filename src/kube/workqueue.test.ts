// On a mocked clock (test/harness/mock-clock.ts): the times below are exact, whatever the machine's speed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useMockClock } from '../../test/harness/mock-clock.ts';
import { WorkQueue } from './workqueue.ts';

describe('WorkQueue', () => {
  const clock = useMockClock();

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
    await clock.settle();
    queue.shutdown();
    await running;
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('never hands one key to two workers, and re-runs a key added while it was handled', async () => {
    const queue = new WorkQueue();
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    const handler = async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      starts.push(clock.now());
      if (starts.length === 1) queue.add('k');
      await clock.sleep(10);
      active--;
    };
    queue.add('k');
    const running = queue.run(4, handler, () => undefined);
    await clock.advance(30);
    queue.shutdown();
    await running;
    assert.equal(maxActive, 1);
    assert.deepEqual(starts, [0, 10], 'once more, right after the first run');
  });

  it('retries a failing key with growing delays and forgets failures after a success', async () => {
    const queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 80 });
    const times: number[] = [];
    const errors: unknown[] = [];
    const handler = (): Promise<void> => {
      times.push(clock.now());
      return times.length < 4 ? Promise.reject(new Error('boom')) : Promise.resolve();
    };
    queue.add('k');
    const running = queue.run(1, handler, (_, err) => errors.push(err));
    await clock.advance(300);
    queue.shutdown();
    await running;
    assert.deepEqual(times, [0, 10, 30, 70], 'retried after 10, 20 and 40ms');
    assert.equal(errors.length, 3);
    assert.equal(queue.failureCount('k'), 0);
  });

  it('caps the retry delay at maxDelayMs', async () => {
    const queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 25 });
    const times: number[] = [];
    queue.add('k');
    const running = queue.run(
      1,
      () => Promise.reject(new Error(String(times.push(clock.now())))),
      () => undefined,
    );
    await clock.advance(100);
    queue.shutdown();
    await running;
    assert.deepEqual(times, [0, 10, 30, 55, 80]);
  });

  it('adds a key after a delay, keeping the earliest pending delay', async () => {
    const queue = new WorkQueue();
    queue.addAfter('k', 30);
    queue.addAfter('k', 1_000);
    await clock.advance(29);
    assert.equal(queue.length, 0);
    await clock.advance(1);
    assert.equal(queue.length, 1);
    queue.shutdown();
  });
});
