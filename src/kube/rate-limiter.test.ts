import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from './rate-limiter.ts';

describe('TokenBucket', () => {
  it('lets a burst through without waiting, then paces requests at qps', async () => {
    const bucket = new TokenBucket({ qps: 50, burst: 3 });
    const burst = Promise.all([bucket.take(), bucket.take(), bucket.take()]).then(() => 'burst');
    // No timer is involved for the burst: it is through before the next turn of the event loop.
    const next = new Promise(resolve => setImmediate(() => resolve('event loop')));
    assert.equal(await Promise.race([burst, next]), 'burst');
    const started = performance.now();
    await Promise.all(Array.from({ length: 5 }, () => bucket.take()));
    // Five more at 50/s: the last one waits at least 5 * 20ms.
    assert.ok(performance.now() - started >= 95);
  });

  it('grants in arrival order', async () => {
    const bucket = new TokenBucket({ qps: 100, burst: 1 });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map(i => bucket.take().then(() => order.push(i))));
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  it('refuses a limit that would block forever', () => {
    assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }), /qps > 0/);
    assert.throws(() => new TokenBucket({ qps: 1, burst: 0 }), /burst >= 1/);
  });
});
