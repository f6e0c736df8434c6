import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

describe('flagger demo (the README command)', () => {
  it('brings up a control plane with the CRDs and an example release, then stops', async () => {
    const bin = new URL('../../bin/flagger.js', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'demo', '--exit'], {
      timeout: 120_000,
    });
    assert.match(stdout, /Installed the Canary, MetricTemplate and AlertProvider CRDs/);
    assert.match(stdout, /deployment\.apps\/podinfo/);
    assert.match(stdout, /canary\.flagger\.app\/podinfo/);
  });
});
