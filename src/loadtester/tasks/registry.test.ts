import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../logging/logger.ts';
import { MetadataError } from '../metadata.ts';
import { isTaskType, TASK_FACTORIES } from './registry.ts';
import { taskKey, type TaskContext } from './types.ts';

const context = (canary = 'podinfo.test'): TaskContext => ({
  canary,
  logger: silentLogger(),
  env: process.env,
});

describe('task registry', () => {
  it("knows Flagger's task types and nothing else", () => {
    assert.deepEqual(Object.keys(TASK_FACTORIES).sort(), [
      'bash',
      'cmd',
      'concord',
      'helm',
      'helmv3',
      'kubectl',
      'ngrinder',
    ]);
    assert.equal(isTaskType('cmd'), true);
    assert.equal(isTaskType('toString'), false);
    assert.equal(isTaskType(''), false);
  });

  it('runs load generators in the background and tests during the request', () => {
    const modes = Object.fromEntries(Object.entries(TASK_FACTORIES).map(([type, f]) => [type, f.mode]));
    assert.deepEqual(modes, {
      cmd: 'background',
      bash: 'blocking',
      helm: 'blocking',
      helmv3: 'blocking',
      kubectl: 'blocking',
      concord: 'blocking',
      ngrinder: 'background',
    });
  });

  it('de-duplicates per canary and command, unambiguously', () => {
    const cmd = (canary: string, command: string) =>
      TASK_FACTORIES.cmd.create({ cmd: command }, context(canary)).key;
    assert.equal(cmd('podinfo.test', 'hey -z 1m http://x/'), cmd('podinfo.test', 'hey -z 1m http://x/'));
    assert.notEqual(cmd('podinfo.test', 'hey -z 1m http://x/'), cmd('podinfo.prod', 'hey -z 1m http://x/'));
    assert.notEqual(cmd('podinfo.test', 'hey -z 1m http://x/'), cmd('podinfo.test', 'hey -z 2m http://x/'));
    // Plain concatenation (Flagger's canary + cmd) would make these equal.
    assert.notEqual(cmd('a.b', 'c d'), cmd('a.bc', ' d'));
    assert.notEqual(taskKey('cmd', 'a', 'b'), taskKey('bash', 'a', 'b'));
    const ngrinder = (clone: string) =>
      TASK_FACTORIES.ngrinder.create({ server: 'http://n/', clone, username: 'u', passwd: 'cA==' }, context())
        .key;
    assert.equal(ngrinder('100'), ngrinder('100'));
    assert.notEqual(ngrinder('100'), ngrinder('101'));
  });

  it('validates metadata before anything runs', () => {
    const rejects = (type: keyof typeof TASK_FACTORIES, metadata: Record<string, string>, message: RegExp) =>
      assert.throws(
        () => TASK_FACTORIES[type].create(metadata, context()),
        (err: unknown) => {
          assert.ok(err instanceof MetadataError);
          assert.match(err.message, message);
          return true;
        },
      );
    rejects('cmd', {}, /^cmd not found in metadata$/);
    rejects('bash', { cmd: '' }, /^cmd not found in metadata$/);
    rejects('helm', { cmd: 'test "unterminated' }, /invalid cmd: unterminated double quote/);
    rejects('kubectl', { type: 'kubectl' }, /cmd not found/);
    rejects('cmd', { cmd: 'hey', logCmdOutput: 'yes' }, /logCmdOutput must be a boolean/);
    rejects(
      'ngrinder',
      { server: 'http://n/', clone: '1', username: 'u' },
      /server, clone, username and passwd are required/,
    );
    rejects(
      'ngrinder',
      { server: 'http://n/', clone: 'x', username: 'u', passwd: 'cA==' },
      /clone must be integer/,
    );
    rejects(
      'ngrinder',
      { server: 'http://n/', clone: '1', username: 'u', passwd: 'not base64!' },
      /password is invalid/,
    );
    rejects(
      'ngrinder',
      { server: 'http://n/', clone: '1', username: 'u', passwd: 'cA==', pollInterval: '5' },
      /pollInterval/,
    );
    rejects('ngrinder', { server: 'ftp://n/', clone: '1', username: 'u', passwd: 'cA==' }, /invalid url/);
    rejects('concord', { org: 'o' }, /`server` is required with type concord/);
    const concord = {
      server: 'http://concord/',
      org: 'o',
      project: 'p',
      repo: 'r',
      entrypoint: 'e',
      apiKeyPath: '/nonexistent/key',
      endpoint: 'http://canary/',
    };
    rejects('concord', concord, /`apiKeyPath` file doesn't exist \/nonexistent\/key/);
    const withKey = { ...concord, apiKeyPath: '/' };
    rejects('concord', { ...withKey, pollInterval: 'five' }, /unable to convert `pollInterval` to int/);
    rejects('concord', { ...withKey, pollTimeout: '0' }, /`pollTimeout` must be a positive number/);
    rejects('concord', { ...withKey, 'arguments.endpoint': 'x' }, /arguments.endpoint/);
    assert.equal(TASK_FACTORIES.concord.create(withKey, context()).description, 'o p r e');
  });
});
