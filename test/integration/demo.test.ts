// `flagger demo --exit` (the README's first command, non-interactive) tells the tutorial's story: its events,
// in the tutorial's order, as the controller logs them, and the end state.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const id = 'podinfo.test';

/** The index of each expected message in turn, each found after the previous one. */
function inOrder(messages: string[], expected: (string | RegExp)[], from = 0): number[] {
  let at = from;
  return expected.map(want => {
    const index = messages.findIndex(
      (message, i) => i >= at && (typeof want === 'string' ? message === want : want.test(message)),
    );
    assert.ok(index >= 0, `${String(want)} not found after line ${at} of:\n${messages.join('\n')}`);
    at = index + 1;
    return index;
  });
}

describe('flagger demo (the README command)', () => {
  it('initialises podinfo 6.0.0, promotes 6.0.1 step by step, rolls 6.0.2 back, then stops', async () => {
    const bin = new URL('../../bin/flagger.js', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'demo', '--exit'], {
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    // Not a terminal: no colour.
    assert.ok(!stdout.includes('\u001b['));
    inOrder(stdout.split('\n'), [
      /^ {2}What is simulated: /,
      /^Experiment 0 /,
      /^Experiment 1 /,
      /^Experiment 2 /,
    ]);
    const events = stdout
      .split('\n')
      .filter(line => line.startsWith(`  ${id}  `))
      .map(line => line.slice(id.length + 4));

    const [initialised = 0] = inOrder(events, [`Initialization done! ${id}`]);
    const promoted = inOrder(
      events,
      [
        `New revision detected! Scaling up ${id}`,
        `Starting canary analysis for ${id}`,
        ...[10, 20, 30, 40, 50].map(weight => `Advance ${id} canary weight ${weight}`),
        `Copying ${id} template spec to ${id.replace('.', '-primary.')}`,
        'Routing all traffic to primary',
        `Promotion completed! Scaling down ${id}`,
      ],
      initialised,
    );
    const [detected = 0, , , , , , , , , completed = 0] = promoted;
    const halts = (from: number, to: number) =>
      events.slice(from, to).filter(message => message.startsWith('Halt '));
    assert.deepEqual(halts(detected, completed), [], 'the healthy release passes every check');

    const [, , , firstHalt = 0] = inOrder(
      events,
      [
        `New revision detected! Scaling up ${id}`,
        `Starting canary analysis for ${id}`,
        `Advance ${id} canary weight 10`,
        /^Halt /,
      ],
      completed + 1,
    );
    const [rollingBack = 0] = inOrder(
      events,
      [`Rolling back ${id} failed checks threshold reached 5`, `Canary failed! Scaling down ${id}`],
      firstHalt,
    );
    const failed = halts(firstHalt, rollingBack);
    assert.equal(failed.length, 5, failed.join('\n'));
    for (const halt of failed)
      assert.match(halt, /^Halt podinfo\.test advancement success rate \d+\.\d\d% < 99%$/);

    assert.match(stdout, /^canary\.flagger\.app\/podinfo +Failed /m);
    assert.match(
      stdout,
      /^deployment\.apps\/podinfo-primary +2\/2 .* ghcr\.io\/stefanprodan\/podinfo:6\.0\.1 /m,
    );
  });
});
