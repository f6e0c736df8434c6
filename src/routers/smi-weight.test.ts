import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSmiWeight } from './smi-weight.ts';

describe('readSmiWeight', () => {
  it('reads integers and plain quantities', () => {
    assert.equal(readSmiWeight(40), 40);
    assert.equal(readSmiWeight('60'), 60);
    assert.equal(readSmiWeight('0'), 0);
  });

  it('rounds a milli quantity up, as resource.Quantity.Value does', () => {
    assert.equal(readSmiWeight('500m'), 1);
    assert.equal(readSmiWeight('1000m'), 1);
    assert.equal(readSmiWeight('90000m'), 90);
    assert.equal(readSmiWeight('1k'), 1000);
  });

  it('is 0 for a missing or unreadable weight', () => {
    assert.equal(readSmiWeight(undefined), 0);
    assert.equal(readSmiWeight('abc'), 0);
  });
});
