// The strict reporter of scripts/test.sh fails a run that node:test alone would pass: a throwing describe body,
// a failing after() hook of a suite, a skipped or todo test, a file without tests; and passes a clean run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const REPORTER = new URL('../harness/strict-reporter.ts', import.meta.url).pathname;

const FILES = {
  'clean.test.mjs': "describe('s', () => { it('passes', () => {}); });",
  'describe-throws.test.mjs': "describe('s', () => { throw new Error('fixture missing'); });",
  'after-throws.test.mjs':
    "describe('s', () => { after(() => { throw new Error('x'); }); it('t', () => {}); });",
  'skips.test.mjs': "it('needs root', { skip: 'not root' }, () => {}); it.todo('later'); it('t', () => {});",
  'no-tests.test.mjs': "describe('s', () => { for (const name of []) it(name, () => {}); });",
  'filtered.test.mjs': "it('kept', () => {}); it('dropped', () => {});",
};

interface Run {
  code: number;
  stderr: string;
}

describe('the strict test reporter', () => {
  let dir = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strict-reporter-'));
    const prelude = "import { after, describe, it } from 'node:test';\n";
    for (const [name, body] of Object.entries(FILES)) await writeFile(join(dir, name), prelude + body);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** node --test on the files, with the spec and strict reporters as scripts/test.sh runs them. */
  const run = (files: (keyof typeof FILES)[], ...flags: string[]) =>
    new Promise<Run>(resolve => {
      const args = [
        '--test',
        ...flags,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${REPORTER}`,
        '--test-reporter-destination=stderr',
        ...files,
      ];
      // Without the variable that tells node --test it runs inside another one, which would run no file.
      const env = { ...process.env };
      delete env.NODE_TEST_CONTEXT;
      execFile(process.execPath, args, { cwd: dir, env }, (err, _stdout, stderr) => {
        resolve({ code: err ? Number(err.code) : 0, stderr });
      });
    });

  it('passes a clean run and writes nothing', async () => {
    const { code, stderr } = await run(['clean.test.mjs']);
    assert.deepEqual({ code, stderr }, { code: 0, stderr: '' });
  });

  it('fails a throwing describe body and a failing after() hook, which node:test exits 0 for', async () => {
    const { code, stderr } = await run(['describe-throws.test.mjs', 'after-throws.test.mjs']);
    assert.equal(code, 1);
    assert.match(stderr, /describe-throws\.test\.mjs: suite "s" failed: its body or one of its hooks threw/);
    assert.match(stderr, /describe-throws\.test\.mjs: no test ran/);
    assert.match(stderr, /after-throws\.test\.mjs: suite "s" failed/);
  });

  it('fails skipped and todo tests, and a file without tests', async () => {
    const { code, stderr } = await run(['skips.test.mjs', 'no-tests.test.mjs', 'clean.test.mjs']);
    assert.equal(code, 1);
    assert.match(stderr, /skips\.test\.mjs: "needs root" skipped: not root/);
    assert.match(stderr, /skips\.test\.mjs: "later" is todo/);
    assert.match(stderr, /no-tests\.test\.mjs: no test ran/);
    assert.doesNotMatch(stderr, /clean\.test\.mjs/);
  });

  it('lets a name pattern leave files without tests', async () => {
    const { code, stderr } = await run(['filtered.test.mjs', 'clean.test.mjs'], '--test-name-pattern=kept');
    assert.deepEqual({ code, stderr }, { code: 0, stderr: '' });
  });
});
