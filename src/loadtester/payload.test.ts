import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NamespaceAuthorizer } from './authorizer.ts';
import { parsePayload, PayloadError } from './payload.ts';

describe('parsePayload', () => {
  it('reads the fields Flagger sends and ignores others', () => {
    const payload = parsePayload(
      JSON.stringify({
        name: 'podinfo',
        namespace: 'test',
        phase: 'Progressing',
        checksum: 'abc',
        extra: 1,
        metadata: { cmd: 'hey', nothing: null },
      }),
    );
    assert.deepEqual(payload, {
      name: 'podinfo',
      namespace: 'test',
      phase: 'Progressing',
      checksum: 'abc',
      metadata: { cmd: 'hey', nothing: '' },
    });
  });

  it('decodes null and missing fields as empty, like Go', () => {
    assert.deepEqual(parsePayload('null'), {
      name: '',
      namespace: '',
      phase: '',
      checksum: '',
      metadata: {},
    });
    assert.deepEqual(parsePayload('{"name":null,"metadata":null}').metadata, {});
  });

  for (const bad of ['', '{', '[]', '"x"', '{"name":1}', '{"metadata":[]}', '{"metadata":{"cmd":1}}'])
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parsePayload(bad), PayloadError));
});

describe('NamespaceAuthorizer', () => {
  it('allows everything without a pattern', () =>
    assert.equal(new NamespaceAuthorizer('').authorize('x'), true));

  it("matches unanchored, like Go's MatchString", () => {
    const authorizer = new NamespaceAuthorizer('test');
    assert.equal(authorizer.authorize('test'), true);
    assert.equal(authorizer.authorize('my-test-ns'), true);
    assert.equal(authorizer.authorize('prod'), false);
    const anchored = new NamespaceAuthorizer('^(test|staging)$');
    assert.equal(anchored.authorize('my-test-ns'), false);
    assert.equal(anchored.authorize('staging'), true);
  });
});
