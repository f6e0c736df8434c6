import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError, loadTesterUsage, parseLoadTesterFlags } from './flags.ts';
import { TaskLimits } from './limits.ts';

describe('-allowed-namespaces and -disable-task-types', () => {
  it('read comma lists, trimmed, empty items dropped', () => {
    const flags = parseLoadTesterFlags([
      '-allowed-namespaces= test, prod-1 ,,',
      '--disable-task-types',
      'bash,cmd',
    ]);
    assert.deepEqual(flags.allowedNamespaces, ['test', 'prod-1']);
    assert.deepEqual(flags.disabledTaskTypes, ['bash', 'cmd']);
    assert.deepEqual(parseLoadTesterFlags(['-disable-task-types=']).disabledTaskTypes, []);
  });

  for (const [flag, reason] of [
    [
      '-disable-task-types=bash,shell',
      /unknown task type "shell" \(known: cmd, bash, helm, helmv3, kubectl, concord, ngrinder\)/,
    ],
    ['-disable-task-types=Bash', /unknown task type "Bash"/],
    ['-allowed-namespaces=test,Prod', /"Prod" is not a namespace name/],
    ['-allowed-namespaces=test/x', /"test\/x" is not a namespace name/],
  ] as const) {
    it(`refuses ${flag} at start-up with a clear error`, () =>
      assert.throws(
        () => parseLoadTesterFlags([flag]),
        (err: unknown) => err instanceof FlagError && reason.test(err.message),
      ));
  }

  it('are in the usage', () => {
    assert.match(loadTesterUsage(), /-allowed-namespaces\n/);
    assert.match(loadTesterUsage(), /-disable-task-types\n {4}\t.*cmd, bash, helm/);
  });
});

describe('-max-output-bytes and -auth-token-file', () => {
  it('read a byte count and a path', () => {
    const flags = parseLoadTesterFlags(['-max-output-bytes=4096', '--auth-token-file', '/etc/token/token']);
    assert.equal(flags.maxOutputBytes, 4096);
    assert.equal(flags.authTokenFile, '/etc/token/token');
    assert.equal(parseLoadTesterFlags(['-max-output-bytes=0']).maxOutputBytes, 0);
  });

  for (const value of ['', '1Mi', '-1', '1.5', String(256 * 1024 * 1024 + 1)]) {
    it(`refuses -max-output-bytes=${value}`, () =>
      assert.throws(
        () => parseLoadTesterFlags([`-max-output-bytes=${value}`]),
        (err: unknown) =>
          err instanceof FlagError &&
          err.message ===
            `invalid value ${JSON.stringify(value)} for -max-output-bytes: want a number of bytes up to 268435456`,
      ));
  }

  it('are in the usage with their defaults', () => {
    assert.match(loadTesterUsage(), /-auth-token-file\n {4}\t.*bearer token.*\(default ""\)/);
    assert.match(loadTesterUsage(), /-max-output-bytes\n {4}\t.*\(default "1048576"\)/);
  });
});

describe('TaskLimits', () => {
  it('allows everything by default, as Flagger', () => {
    const limits = new TaskLimits();
    assert.equal(limits.namespaceRefusal('anything'), undefined);
    assert.equal(limits.typeRefusal('bash'), undefined);
    assert.equal(limits.maxOutputBytes, 1024 * 1024);
    assert.deepEqual(limits.describe(), []);
  });

  it('logs an output limit other than the default', () => {
    const limits = new TaskLimits({ maxOutputBytes: 4096 });
    assert.equal(limits.maxOutputBytes, 4096);
    assert.deepEqual(limits.describe(), ['Task output kept: the last 4096 bytes']);
  });

  it('refuses namespaces that are not listed and disabled types, saying why', () => {
    const limits = new TaskLimits({ allowedNamespaces: ['test'], disabledTaskTypes: ['bash', 'cmd'] });
    assert.equal(limits.namespaceRefusal('test'), undefined);
    assert.equal(
      limits.namespaceRefusal('prod'),
      'tasks from namespace "prod" are not allowed (-allowed-namespaces)',
    );
    assert.equal(limits.typeRefusal('helmv3'), undefined);
    assert.equal(limits.typeRefusal('bash'), 'task type bash is disabled (-disable-task-types)');
    assert.deepEqual(limits.describe(), [
      'Tasks allowed from namespaces: test',
      'Task types disabled: bash, cmd',
    ]);
  });
});
