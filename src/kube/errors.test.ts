import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  errorFromResponse,
  isAlreadyExists,
  isConflict,
  isGone,
  isInvalid,
  isNotFound,
  isTransient,
  transportError,
} from './errors.ts';

describe('errorFromResponse', () => {
  const cases: [number, string | undefined, (e: unknown) => boolean][] = [
    [404, 'NotFound', isNotFound],
    [409, 'Conflict', isConflict],
    [409, 'AlreadyExists', isAlreadyExists],
    [422, 'Invalid', isInvalid],
    [410, 'Gone', isGone],
    [429, 'TooManyRequests', isTransient],
    [503, 'ServiceUnavailable', isTransient],
  ];
  for (const [code, reason, predicate] of cases) {
    it(`maps HTTP ${code} ${reason ?? ''}`, () => {
      const err = errorFromResponse(code, { reason, message: 'server says no' }, 'get Canary test/podinfo');
      assert.ok(predicate(err));
      assert.equal(err.code, code);
      assert.equal(err.message, 'get Canary test/podinfo: server says no');
    });
  }

  it('treats network failures as transient and keeps the cause', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:6443');
    const err = transportError(cause, 'list Canary');
    assert.ok(isTransient(err));
    assert.equal(err.cause, cause);
  });
});
