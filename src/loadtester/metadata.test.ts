import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { booleanOption, httpUrl, MetadataError, parseInteger, required } from './metadata.ts';

describe('metadata', () => {
  it('requires present, non-blank values', () => {
    assert.equal(required({ cmd: 'hey' }, 'cmd', 'cmd not found in metadata'), 'hey');
    assert.throws(() => required({}, 'cmd', 'cmd not found in metadata'), /cmd not found in metadata/);
    assert.throws(() => required({ cmd: '  ' }, 'cmd', 'missing'), MetadataError);
  });

  it("reads booleans with Go's spellings and rejects others", () => {
    for (const yes of ['true', 'True', 'TRUE', 't', 'T', '1'])
      assert.equal(booleanOption({ k: yes }, 'k'), true);
    for (const no of ['false', 'False', 'FALSE', 'f', 'F', '0'])
      assert.equal(booleanOption({ k: no }, 'k'), false);
    assert.equal(booleanOption({}, 'k'), false);
    assert.throws(
      () => booleanOption({ returnCmdOutput: 'yes' }, 'returnCmdOutput'),
      /returnCmdOutput must be a boolean/,
    );
  });

  it('parses integers like strconv.Atoi', () => {
    assert.equal(parseInteger('100'), 100);
    assert.equal(parseInteger('-5'), -5);
    assert.equal(parseInteger('+7'), 7);
    for (const bad of ['', '1.5', '1e3', ' 1', '0x10', '99999999999999999999'])
      assert.equal(parseInteger(bad), undefined);
  });

  it('accepts http and https URLs only', () => {
    assert.equal(httpUrl('http://ngrinder:8080', 'invalid url').host, 'ngrinder:8080');
    assert.throws(() => httpUrl('ngrinder:8080/x', 'invalid url'), /not an http or https URL/);
    assert.throws(() => httpUrl('not a url', 'invalid url'), /not a URL/);
  });
});
