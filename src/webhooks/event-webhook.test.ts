import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventHooks, eventMetadata } from './event-webhook.ts';

describe('event hooks', () => {
  it("uses the canary's event hooks, in order, instead of the global one", () => {
    const analysis = {
      webhooks: [
        { name: 'rollout', url: 'http://a/' },
        { name: 'slack', type: 'event' as const, url: 'http://b/' },
        { name: 'audit', type: 'event' as const, url: 'http://c/' },
      ],
    };
    assert.deepEqual(
      eventHooks(analysis, 'http://global/').map(h => h.name),
      ['slack', 'audit'],
    );
  });

  it('falls back to the global event webhook, named "events", when the canary has none', () => {
    assert.deepEqual(eventHooks({ webhooks: [{ name: 'r', url: 'http://a/' }] }, 'http://global/'), [
      { name: 'events', url: 'http://global/' },
    ]);
    assert.deepEqual(eventHooks(undefined, undefined), []);
    assert.deepEqual(eventHooks(undefined, ''), []);
  });
});

describe('event metadata', () => {
  it('sets message, type and a unix-millisecond timestamp, merging hook metadata without overriding them', () => {
    assert.deepEqual(
      eventMetadata(
        'Warning',
        'Halt advancement',
        { cluster: 'dev', eventType: 'spoofed', timestamp: 'x' },
        1700000000123,
      ),
      { cluster: 'dev', eventMessage: 'Halt advancement', eventType: 'Warning', timestamp: '1700000000123' },
    );
    assert.deepEqual(eventMetadata('Normal', 'm', undefined, 5), {
      eventMessage: 'm',
      eventType: 'Normal',
      timestamp: '5',
    });
  });
});
