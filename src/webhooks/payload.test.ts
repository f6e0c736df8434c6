import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCanary } from '../api/canary.fixture.ts';
import { isOwnHash } from '../util/hash.ts';
import { canaryChecksum, webhookPayload } from './payload.ts';

describe('webhook payload', () => {
  it('carries name, namespace, the given phase, the checksum and the metadata, in Flagger key order', () => {
    const c = testCanary({ status: { phase: 'Succeeded', lastAppliedSpec: 'abc' } });
    const payload = webhookPayload(c, 'Progressing', { cmd: 'hey' });
    assert.equal(
      JSON.stringify(payload),
      JSON.stringify({
        name: 'podinfo',
        namespace: 'test',
        phase: 'Progressing',
        checksum: canaryChecksum(c.status),
        metadata: { cmd: 'hey' },
      }),
    );
  });

  it('leaves out absent or empty metadata, like omitempty', () => {
    assert.equal('metadata' in webhookPayload(testCanary(), 'Failed'), false);
    assert.equal('metadata' in webhookPayload(testCanary(), 'Failed', {}), false);
  });
});

describe('canary checksum', () => {
  it('is one of our hashes and depends only on trackedConfigs and lastAppliedSpec', () => {
    const base = canaryChecksum({ lastAppliedSpec: 'a', trackedConfigs: { 'configmap/cfg': '1' } });
    assert.equal(isOwnHash(base), true);
    assert.equal(
      canaryChecksum({
        lastAppliedSpec: 'a',
        trackedConfigs: { 'configmap/cfg': '1' },
        phase: 'Progressing',
        canaryWeight: 20,
        lastPromotedSpec: 'z',
      }),
      base,
    );
    assert.notEqual(canaryChecksum({ lastAppliedSpec: 'b', trackedConfigs: { 'configmap/cfg': '1' } }), base);
    assert.notEqual(canaryChecksum({ lastAppliedSpec: 'a', trackedConfigs: { 'configmap/cfg': '2' } }), base);
  });

  it('treats a missing lastAppliedSpec as empty but keeps absent and empty trackedConfigs apart, as Go does', () => {
    assert.equal(canaryChecksum(undefined), canaryChecksum({ lastAppliedSpec: '' }));
    assert.equal(canaryChecksum({}), canaryChecksum({ lastAppliedSpec: '' }));
    assert.notEqual(canaryChecksum({}), canaryChecksum({ trackedConfigs: {} }));
  });
});
