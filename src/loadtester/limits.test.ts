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

describe('TaskLimits', () => {
  it('allows everything by default, as Flagger', () => {
    const limits = new TaskLimits();
    assert.equal(limits.namespaceRefusal('anything'), undefined);
    assert.equal(limits.typeRefusal('bash'), undefined);
    assert.deepEqual(limits.describe(), []);
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
