import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliveryQueue } from './delivery-queue.ts';

/** A delivery that finishes when released. */
function held(log: string[], name: string) {
  let release: () => void = () => undefined;
  const done = new Promise<void>(resolve => (release = resolve));
  return {
    deliver: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
    },
    release: () => release(),
  };
}

describe('DeliveryQueue', () => {
  it('delivers in order per key without making the caller wait, keys independently', async () => {
    const log: string[] = [];
    const queue = new DeliveryQueue({ onProblem: () => undefined });
    const a1 = held(log, 'a1');
    queue.push('a', a1.deliver);
    queue.push('a', () => Promise.resolve(void log.push('a2')));
    queue.push('b', () => Promise.resolve(void log.push('b1')));
    await new Promise(resolve => setImmediate(resolve));
    assert.deepEqual(log, ['start a1', 'b1'], 'b is not held up by a, a2 waits for a1');
    a1.release();
    await queue.drained();
    assert.deepEqual(log, ['start a1', 'b1', 'end a1', 'a2']);
  });

  it('reports failures and goes on', async () => {
    const problems: string[] = [];
    const delivered: string[] = [];
    const queue = new DeliveryQueue({ onProblem: (key, problem) => problems.push(`${key}: ${problem}`) });
    queue.push('a', () => Promise.reject(new Error('receiver down')));
    queue.push('a', () => Promise.resolve(void delivered.push('next')));
    await queue.drained();
    assert.deepEqual(problems, ['a: receiver down']);
    assert.deepEqual(delivered, ['next']);
  });

  it('drops the oldest waiting deliveries beyond the limit', async () => {
    const log: string[] = [];
    const problems: string[] = [];
    const queue = new DeliveryQueue({ limit: 2, onProblem: (_key, problem) => problems.push(problem) });
    const first = held(log, '1');
    queue.push('a', first.deliver);
    for (const n of ['2', '3', '4']) queue.push('a', () => Promise.resolve(void log.push(n)));
    first.release();
    await queue.drained();
    assert.deepEqual(log, ['start 1', 'end 1', '3', '4']);
    assert.deepEqual(problems, ['event webhook queue full: dropped the oldest of 2']);
  });
});
