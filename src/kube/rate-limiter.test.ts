// On a mocked clock (test/harness/mock-clock.ts): the times below are exact, whatever the machine's speed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useMockClock } from '../../test/harness/mock-clock.ts';
import { TokenBucket } from './rate-limiter.ts';

describe('TokenBucket', () => {
  const clock = useMockClock();

  it('lets a burst through without waiting, then paces requests at qps', async () => {
    const bucket = new TokenBucket({ qps: 50, burst: 3 }, clock);
    const granted: number[] = [];
    for (let i = 0; i < 8; i++) void bucket.take().then(() => granted.push(clock.now()));
    await clock.settle();
    assert.deepEqual(granted, [0, 0, 0], 'the burst at once');
    await clock.advance(100);
    assert.deepEqual(granted, [0, 0, 0, 20, 40, 60, 80, 100], 'then one every 20ms');
  });

  it('refills while idle, up to the burst', async () => {
    const bucket = new TokenBucket({ qps: 50, burst: 2 }, clock);
    await Promise.all([bucket.take(), bucket.take()]);
    await clock.advance(1_000);
    const granted: number[] = [];
    for (let i = 0; i < 3; i++) void bucket.take().then(() => granted.push(clock.now()));
    await clock.advance(20);
    assert.deepEqual(granted, [1_000, 1_000, 1_020]);
  });

  it('grants in arrival order', async () => {
    const bucket = new TokenBucket({ qps: 100, burst: 1 }, clock);
    const order: number[] = [];
    for (const i of [0, 1, 2, 3]) void bucket.take().then(() => order.push(i));
    await clock.advance(100);
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  it('refuses a limit that would block forever', () => {
    assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }), /qps > 0/);
    assert.throws(() => new TokenBucket({ qps: 1, burst: 0 }), /burst >= 1/);
  });
});
