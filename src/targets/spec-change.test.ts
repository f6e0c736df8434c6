import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeHash } from '../util/hash.ts';
import { specChange } from './spec-change.ts';

const v1 = computeHash({ image: 'podinfo:1' });
const v2 = computeHash({ image: 'podinfo:2' });
const v3 = computeHash({ image: 'podinfo:3' });
/** Hashes as Flagger writes them: FNV-32a in decimal, in the safe alphabet, at most 10 characters. */
const flaggerA = '5d8f7b9c4';
const flaggerB = '7c6b9d5f8';

describe('specChange', () => {
  const cases: [string, Parameters<typeof specChange>[0], string, ReturnType<typeof specChange>][] = [
    ['no status', undefined, v1, 'changed'],
    ['no applied spec', { lastAppliedSpec: '' }, v1, 'changed'],
    ['the applied revision', { lastAppliedSpec: v1 }, v1, 'unchanged'],
    ['a new revision', { lastAppliedSpec: v1 }, v2, 'changed'],
    ['back on the promoted revision', { lastAppliedSpec: v2, lastPromotedSpec: v1 }, v1, 'unchanged'],
    ['a third revision', { lastAppliedSpec: v2, lastPromotedSpec: v1 }, v3, 'changed'],
    // Taken over from Flagger: its promoted hash cannot be compared with ours, the primary can.
    [
      "adopted, promoted hash Flagger's",
      { lastAppliedSpec: v2, lastPromotedSpec: flaggerB },
      v2,
      'unchanged',
    ],
    ['adopted, another revision', { lastAppliedSpec: v2, lastPromotedSpec: flaggerB }, v3, 'ask-primary'],
    ['not adopted yet', { lastAppliedSpec: flaggerA, lastPromotedSpec: flaggerA }, v1, 'ask-primary'],
    ["Flagger's applied hash only", { lastAppliedSpec: flaggerA }, v1, 'ask-primary'],
  ];
  for (const [name, status, hash, expected] of cases) {
    it(`${name}: ${expected}`, () => assert.equal(specChange(status, hash), expected));
  }
});
