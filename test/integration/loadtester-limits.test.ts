// The load tester's command execution restricted (extension): -allowed-namespaces, -disable-task-types and
// -max-output-bytes, and Flagger's -timeout as the run-time limit, through the real HTTP server and the real
// binary, with real shells.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadTesterServer, LoadTesterOptions } from '../../src/loadtester/server.ts';
import { startTester } from '../harness/loadtester.ts';
import { waitFor } from '../../src/playground/process.ts';

const BIN = new URL('../../bin/flagger-loadtester.js', import.meta.url).pathname;

const payload = (namespace: string, metadata: Record<string, string>) =>
  JSON.stringify({ name: 'podinfo', namespace, phase: 'Progressing', checksum: 'abc', metadata });

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, text: await response.text() };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('load tester limits', () => {
  const servers: LoadTesterServer[] = [];
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loadtester-limits-'));
  });
  after(async () => {
    await Promise.all(servers.map(s => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  const start = (limits: Partial<LoadTesterOptions>) => startTester(servers, limits);

  it('runs tasks only for the listed namespaces, and says why it refuses', async () => {
    const { url, logs } = await start({ allowedNamespaces: ['test', 'staging'] });
    const ran = join(dir, 'from-prod');
    const refused = await post(`${url}/`, payload('prod', { type: 'bash', cmd: `touch ${ran}` }));
    assert.deepEqual(refused, {
      status: 403,
      text: 'tasks from namespace "prod" are not allowed (-allowed-namespaces)',
    });
    assert.deepEqual(
      await post(`${url}/`, payload('prod', { cmd: `touch ${ran}` })),
      refused,
      'background too',
    );
    assert.deepEqual(
      await post(`${url}/`, payload('test', { type: 'bash', cmd: 'echo ran', returnCmdOutput: 'true' })),
      {
        status: 200,
        text: 'ran\n',
      },
    );
    assert.equal(await exists(ran), false, 'the refused command did not run');
    assert.ok(
      logs.some(
        l =>
          l.canary === 'podinfo.prod' &&
          l.level === 'warn' &&
          /^task refused: tasks from namespace "prod"/.test(String(l.msg)),
      ),
    );
    // Gates run nothing: they stay open to every namespace.
    assert.equal((await post(`${url}/gate/approve`, payload('prod', {}))).status, 200);
  });

  it('refuses disabled task types, the default type included, and runs the others', async () => {
    const { url } = await start({ disabledTaskTypes: ['cmd', 'bash'] });
    const ran = join(dir, 'disabled');
    assert.deepEqual(await post(`${url}/`, payload('test', { type: 'bash', cmd: `touch ${ran}` })), {
      status: 403,
      text: 'task type bash is disabled (-disable-task-types)',
    });
    assert.deepEqual(await post(`${url}/`, payload('test', { cmd: `touch ${ran}` })), {
      status: 403,
      text: 'task type cmd is disabled (-disable-task-types)',
    });
    // An enabled type is not refused: here it fails on its own terms (the metadata lacks what it needs).
    const concord = await post(`${url}/`, payload('test', { type: 'concord' }));
    assert.equal(concord.status, 400);
    assert.equal(
      (await post(`${url}/`, payload('test', { type: 'nope' }))).status,
      400,
      'unknown is still 400',
    );
    assert.equal(await exists(ran), false);
  });

  it('without limits runs tasks from any namespace, as Flagger', async () => {
    const { url } = await start({});
    const answer = await post(
      `${url}/`,
      payload('anywhere', { type: 'bash', cmd: 'echo ok', returnCmdOutput: 'true' }),
    );
    assert.deepEqual(answer, { status: 200, text: 'ok\n' });
  });

  it('-max-output-bytes keeps the end of the output, with a note', async () => {
    const { url } = await start({ maxOutputBytes: 8 });
    assert.deepEqual(
      await post(
        `${url}/`,
        payload('test', { type: 'bash', cmd: 'echo 0123456789abcdef', returnCmdOutput: 'true' }),
      ),
      {
        status: 200,
        text: '[output truncated: first 9 bytes dropped, last 8 kept (-max-output-bytes)]\n9abcdef\n',
      },
    );
    const failed = await post(
      `${url}/`,
      payload('test', { type: 'bash', cmd: 'echo 0123456789abcdef; exit 1' }),
    );
    assert.equal(failed.status, 500);
    assert.match(failed.text, /\(-max-output-bytes\)\]\n9abcdef\n: exit status 1$/);
  });

  it('-timeout ends a background command and everything it started', async () => {
    const { url, server } = await start({ timeoutMs: 500 });
    const pidFile = join(dir, 'background.pid');
    const started = await post(`${url}/`, payload('test', { cmd: `sleep 30 & echo $! > ${pidFile}; wait` }));
    assert.equal(started.status, 202);
    await waitFor(() => server.runner.runningKeys.length === 0, 10_000, 'the command outlived -timeout');
    assert.ok(await exists(pidFile), 'the command ran');
    const pid = Number(await readFile(pidFile, 'utf8'));
    await waitFor(() => !processAlive(pid), 5_000, 'the sleep it started survived');
  });

  it('the binary refuses an unknown task type or a bad namespace at start-up', async () => {
    for (const [flag, message] of [
      [
        '-disable-task-types=bash,shell',
        'unknown task type "shell" (known: cmd, bash, helm, helmv3, kubectl, concord, ngrinder)',
      ],
      ['-allowed-namespaces=Test', '"Test" is not a namespace name'],
    ] as const) {
      const child = spawn(process.execPath, [BIN, flag]);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      assert.equal(await new Promise(resolve => child.once('exit', resolve)), 2);
      assert.ok(stderr.includes(message), stderr);
    }
  });

  it('the binary applies the flags and logs them', async () => {
    const child = spawn(process.execPath, [
      BIN,
      '-port=0',
      '-log-level=info',
      '-allowed-namespaces=test',
      '-disable-task-types=bash',
      '-max-output-bytes=64',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise(resolve => child.once('exit', resolve));
    try {
      await waitFor(() => /API on port \d+/.test(stderr), 90_000, 'the binary did not start');
      const url = `http://127.0.0.1:${/API on port (\d+)/.exec(stderr)?.[1] ?? ''}/`;
      assert.equal((await post(url, payload('test', { type: 'bash', cmd: 'true' }))).status, 403);
      assert.equal((await post(url, payload('prod', { cmd: 'true' }))).status, 403);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.match(stderr, /"msg":"Tasks allowed from namespaces: test"/);
    assert.match(stderr, /"msg":"Task types disabled: bash"/);
    assert.match(stderr, /"msg":"Task output kept: the last 64 bytes"/);
  });
});
