import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

describe('flagger demo (the README command)', () => {
  it('runs a promoted and a rolled-back release on a local control plane, then stops', async () => {
    const bin = new URL('../../bin/flagger.js', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'demo', '--exit'], {
      timeout: 240_000,
    });
    assert.match(stdout, /podinfo\.test {2}Initialization done! podinfo\.test/);
    assert.match(stdout, /podinfo\.test {2}New revision detected! Scaling up podinfo\.test/);
    assert.match(stdout, /podinfo\.test {2}Promotion completed! Scaling down podinfo\.test/);
    assert.match(stdout, /podinfo\.test {2}Canary failed! Scaling down podinfo\.test/);
    assert.match(stdout, /canary\.flagger\.app\/podinfo +Failed/);
  });
});
