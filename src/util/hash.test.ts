import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson, computeHash, configChecksum, isOwnHash } from './hash.ts';

describe('hashes', () => {
  it('ignores key order and undefined fields', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
    assert.equal(computeHash({ a: 1, b: undefined }), computeHash({ a: 1 }));
    assert.notEqual(computeHash({ a: 1 }), computeHash({ a: 2 }));
  });

  it("tells our 16-character hashes from Flagger's", () => {
    assert.equal(isOwnHash(computeHash({ image: 'podinfo:6.0.1' })), true);
    assert.equal(isOwnHash('5f6b9d7c8d'), false);
    assert.equal(isOwnHash(undefined), false);
  });

  it('checksums config data as Flagger does: 8 bytes of SHA-256 of Go JSON, in hex', () => {
    // sha256('{"a":"b","c":"\\u003cx\\u003e"}'), the bytes Go's json.Marshal writes for this map.
    const expected = createHash('sha256')
      .update('{"a":"b","c":"\\u003cx\\u003e"}')
      .digest('hex')
      .slice(0, 16);
    assert.equal(configChecksum({ c: '<x>', a: 'b' }), expected);
  });
});
