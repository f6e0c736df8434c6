import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeHash } from '../util/hash.ts';
import { specChange } from './spec-change.ts';

const v1 = computeHash({ image: 'podinfo:1' });
const v2 = computeHash({ image: 'podinfo:2' });

describe('specChange', () => {
  it('is changed before any spec was applied', () => {
    assert.equal(specChange(undefined, v1), 'changed');
    assert.equal(specChange({ lastAppliedSpec: '' }, v1), 'changed');
  });

  it('compares with lastAppliedSpec', () => {
    assert.equal(specChange({ lastAppliedSpec: v1 }, v1), 'unchanged');
    assert.equal(specChange({ lastAppliedSpec: v1 }, v2), 'changed');
  });

  it('is unchanged when the target went back to the last promoted spec', () => {
    assert.equal(specChange({ lastAppliedSpec: v2, lastPromotedSpec: v1 }, v1), 'unchanged');
  });

  it('asks for a migration check when the status was written by Flagger', () => {
    assert.equal(specChange({ lastAppliedSpec: '5d8f7b9c4', lastPromotedSpec: '5d8f7b9c4' }, v1), 'migrate');
  });
});
