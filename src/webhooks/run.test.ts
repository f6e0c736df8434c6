import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanaryWebhook } from '../api/canary.ts';
import { hooksOfType, runGate, type HookCaller } from './run.ts';
import type { HookResult, WebhookPayload } from './types.ts';

const hook = (name: string, type?: CanaryWebhook['type']): CanaryWebhook => ({
  name,
  url: `http://hooks.test/${name}`,
  ...(type === undefined ? {} : { type }),
});

const payloadFor = (h: CanaryWebhook): WebhookPayload => ({
  name: 'podinfo',
  namespace: 'test',
  phase: 'Progressing',
  checksum: 'c',
  metadata: { hook: h.name },
});

/** A fake caller that answers from `results` by hook name and records the calls in order. */
function recorder(results: Record<string, HookResult>): { call: HookCaller; calls: string[] } {
  const calls: string[] = [];
  const call: HookCaller = (h, payload) => {
    calls.push(`${h.name}:${payload.metadata?.hook ?? ''}`);
    return Promise.resolve(results[h.name] ?? { ok: true });
  };
  return { call, calls };
}

describe('hooksOfType', () => {
  const analysis = {
    webhooks: [
      hook('a', 'pre-rollout'),
      hook('b'),
      hook('c', ''),
      hook('d', 'rollout'),
      hook('e', 'pre-rollout'),
      hook('f', 'event'),
    ],
  };

  it('keeps spec order and counts an empty or missing type as rollout', () => {
    assert.deepEqual(
      hooksOfType(analysis, 'rollout').map(h => h.name),
      ['b', 'c', 'd'],
    );
    assert.deepEqual(
      hooksOfType(analysis, 'pre-rollout').map(h => h.name),
      ['a', 'e'],
    );
    assert.deepEqual(hooksOfType(analysis, 'confirm-promotion'), []);
  });

  it('copes with no analysis or no webhooks', () => {
    assert.deepEqual(hooksOfType(undefined, 'rollout'), []);
    assert.deepEqual(hooksOfType({}, 'event'), []);
  });
});

describe('runGate', () => {
  it('calls every hook in order with its own payload and passes when all pass', async () => {
    const { call, calls } = recorder({});
    assert.equal(await runGate([hook('a'), hook('b'), hook('c')], payloadFor, call), undefined);
    assert.deepEqual(calls, ['a:a', 'b:b', 'c:c']);
  });

  it('stops at the first failure and returns that hook with its message', async () => {
    const { call, calls } = recorder({
      b: { ok: false, message: 'denied' },
      c: { ok: false, message: 'later' },
    });
    const failure = await runGate([hook('a'), hook('b'), hook('c')], payloadFor, call);
    assert.equal(failure?.hook.name, 'b');
    assert.deepEqual(failure.result, { ok: false, message: 'denied' });
    assert.deepEqual(calls, ['a:a', 'b:b']);
  });

  it('passes an empty gate', async () => {
    const { call, calls } = recorder({});
    assert.equal(await runGate([], payloadFor, call), undefined);
    assert.deepEqual(calls, []);
  });
});
