import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { semanticallyEqual, withoutZeroValues } from './semantic-equal.ts';

describe('semanticallyEqual', () => {
  it('treats missing fields and zero values alike, as Go decoding does', () => {
    assert.equal(semanticallyEqual({ a: 1, b: '', c: false, d: 0, e: [], f: {} }, { a: 1 }), true);
    assert.equal(semanticallyEqual({ a: { b: { c: null } } }, {}), true);
    assert.equal(semanticallyEqual(undefined, {}), true);
  });

  it('ignores key order but not list order', () => {
    assert.equal(semanticallyEqual({ a: 1, b: 2 }, { b: 2, a: 1 }), true);
    assert.equal(semanticallyEqual([1, 2], [2, 1]), false);
  });

  it('sees real differences', () => {
    assert.equal(semanticallyEqual({ a: 1 }, { a: 2 }), false);
    assert.equal(semanticallyEqual({ a: { b: 'x' } }, { a: {} }), false);
  });

  it('keeps list items even when they are empty', () => {
    assert.deepEqual(withoutZeroValues({ match: [{ port: 0 }, { port: 80 }] }), {
      match: [{}, { port: 80 }],
    });
  });
});
