import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgumentSyntaxError, splitArgs } from './args.ts';

describe('splitArgs', () => {
  const cases: [string, string[]][] = [
    ['test podinfo -n test', ['test', 'podinfo', '-n', 'test']],
    ['  spaced \t out\n', ['spaced', 'out']],
    ['', []],
    [`--set "a=b c" --x 'y z'`, ['--set', 'a=b c', '--x', 'y z']],
    [`pre"mid dle"post`, ['premid dlepost']],
    [`'' ""`, ['', '']],
    [`"say \\"hi\\"" 'it\\s'`, ['say "hi"', 'it\\s']],
    [`a\\ b c`, ['a b', 'c']],
    [
      'get pods; rm -rf / $(id) `id` | cat > /tmp/x',
      ['get', 'pods;', 'rm', '-rf', '/', '$(id)', '`id`', '|', 'cat', '>', '/tmp/x'],
    ],
    ['echo $HOME ~ *', ['echo', '$HOME', '~', '*']],
  ];
  for (const [line, words] of cases)
    it(`splits ${JSON.stringify(line)}`, () => assert.deepEqual(splitArgs(line), words));

  for (const bad of [`"open`, `'open`, 'trailing\\', `a "b\\"`])
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => splitArgs(bad), ArgumentSyntaxError));
});
