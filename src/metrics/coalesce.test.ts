import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useMockClock } from '../../test/harness/mock-clock.ts';
import { QueryCoalescer } from './coalesce.ts';
import { NoValuesError, type MetricsProvider } from './types.ts';

function counting(answer: (query: string) => Promise<number>): MetricsProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    runQuery: query => {
      calls.push(query);
      return answer(query);
    },
    isOnline: () => Promise.resolve(true),
  };
}

describe('QueryCoalescer', () => {
  // On a mocked clock (test/harness/mock-clock.ts), so that the window does not depend on the machine's speed.
  const clock = useMockClock();

  it('sends identical queries to the same backend once while in flight and for the window after', async () => {
    const coalescer = new QueryCoalescer(50);
    const backend = counting(() => clock.sleep(5).then(() => 42));
    const a = coalescer.wrap(backend, { address: 'http://prom' });
    const b = coalescer.wrap(backend, { address: 'http://prom' });
    const answers = Promise.all([a.runQuery('up'), b.runQuery('up'), a.runQuery('up')]);
    await clock.advance(5);
    assert.deepEqual(await answers, [42, 42, 42]);
    // Settled at 5ms: shared until 55ms.
    await clock.advance(49);
    assert.equal(await b.runQuery('up'), 42);
    assert.deepEqual(backend.calls, ['up']);
    await clock.advance(1);
    void a.runQuery('up');
    assert.deepEqual(backend.calls, ['up', 'up']);
  });

  it('keeps different queries and different backends apart', async () => {
    const coalescer = new QueryCoalescer();
    const backend = counting(query => Promise.resolve(query.length));
    const prom = coalescer.wrap(backend, { address: 'http://prom' });
    const other = coalescer.wrap(backend, { address: 'http://other' });
    const withSecret = coalescer.wrap(backend, { address: 'http://prom', credentials: { token: 'x' } });
    await Promise.all([
      prom.runQuery('a'),
      prom.runQuery('bb'),
      other.runQuery('a'),
      withSecret.runQuery('a'),
    ]);
    assert.equal(backend.calls.length, 4);
  });

  it('shares a failure within the window, as it would share a value', async () => {
    const coalescer = new QueryCoalescer();
    const backend = counting(() => Promise.reject(new NoValuesError()));
    const prom = coalescer.wrap(backend, 'p');
    const outcomes = await Promise.allSettled([prom.runQuery('q'), prom.runQuery('q')]);
    assert.ok(outcomes.every(o => o.status === 'rejected' && o.reason instanceof NoValuesError));
    assert.equal(backend.calls.length, 1);
  });
});
