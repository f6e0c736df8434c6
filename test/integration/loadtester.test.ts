// The load tester as a service: every endpoint and task type over HTTP on 127.0.0.1, with real hey and wrk,
// real shells, and local servers speaking the Concord and nGrinder APIs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileGateStore } from '../../src/loadtester/gate-store.ts';
import type { LoadTesterServer } from '../../src/loadtester/server.ts';
import { startTester as start } from '../harness/loadtester.ts';
import { waitFor } from '../../src/playground/process.ts';
import { VERSION } from '../../src/version.ts';

const testers: LoadTesterServer[] = [];
const startTester = (options?: Parameters<typeof start>[1]) => start(testers, options);

async function post(
  url: string,
  body: unknown,
  init: { signal?: AbortSignal } = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  return { status: response.status, text: await response.text() };
}

const canary = (metadata?: Record<string, string>, namespace = 'test') => ({
  name: 'podinfo',
  namespace,
  phase: 'Progressing',
  checksum: 'abc',
  ...(metadata && { metadata }),
});

/** A local HTTP server that counts requests and answers through `handle`. */
async function localServer(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void = (_req, _body, res) =>
    res.end('ok'),
): Promise<{ server: Server; url: string; requests: { req: IncomingMessage; body: string }[] }> {
  const requests: { req: IncomingMessage; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
    req.on('end', () => {
      requests.push({ req, body });
      handle(req, body, res);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, requests };
}

const json = (res: ServerResponse, value: unknown, status = 200) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('flagger-loadtester', () => {
  let dir: string;
  const servers: Server[] = [];
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'loadtester-'))));
  after(async () => {
    await Promise.all(testers.map(t => t.stop()));
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  });
  const serve = async (handle?: Parameters<typeof localServer>[0]) => {
    const local = await localServer(handle);
    servers.push(local.server);
    return local;
  };

  describe('fixed endpoints', () => {
    it('answers /healthz, /metrics, /gate/approve and /gate/halt like Flagger', async () => {
      const { url } = await startTester();
      const health = await fetch(`${url}/healthz`);
      assert.deepEqual([health.status, await health.text()], [200, 'OK']);
      const approve = await fetch(`${url}/gate/approve`, { method: 'POST', body: 'not even json' });
      assert.deepEqual([approve.status, await approve.text()], [200, 'OK']);
      const halt = await fetch(`${url}/gate/halt`, { method: 'POST' });
      assert.deepEqual([halt.status, await halt.text()], [403, 'Forbidden']);
      const metrics = await fetch(`${url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await metrics.text();
      assert.match(text, /^process_cpu_user_seconds_total \d/m);
      assert.match(text, /^process_resident_memory_bytes \d/m);
    });

    it('rejects bodies that are not a payload with 400, and huge bodies with 413', async () => {
      const { url } = await startTester();
      for (const path of ['/gate/check', '/gate/open', '/rollback/check', '/'])
        assert.equal((await post(`${url}${path}`, '{"name": ')).status, 400, path);
      assert.equal((await post(`${url}/gate/check`, { name: 1 })).status, 400);
      const big = await post(`${url}/gate/open`, { name: 'x'.repeat(2 * 1024 * 1024), namespace: 'test' });
      assert.equal(big.status, 413);
    });
  });

  describe('gates', () => {
    it('opens, checks and closes confirmation gates per canary', async () => {
      const { url, logs } = await startTester();
      assert.deepEqual(await post(`${url}/gate/check`, canary()), { status: 403, text: 'Forbidden' });
      assert.deepEqual(await post(`${url}/gate/open`, canary()), { status: 202, text: '' });
      assert.deepEqual(await post(`${url}/gate/check`, canary()), { status: 200, text: 'Approved' });
      assert.equal(
        (await post(`${url}/gate/check`, canary(undefined, 'other'))).status,
        403,
        'per namespace',
      );
      assert.equal(
        (await post(`${url}/rollback/check`, canary())).status,
        403,
        'rollback is a separate gate',
      );
      assert.deepEqual(await post(`${url}/gate/close`, canary()), { status: 202, text: '' });
      assert.deepEqual(await post(`${url}/gate/check`, canary()), { status: 403, text: 'Forbidden' });
      const messages = logs.map(l => l.msg);
      assert.ok(messages.includes('podinfo.test gate opened'), messages.join('\n'));
      assert.ok(messages.includes('podinfo.test gate check: approved true'));
    });

    it('opens and closes rollbacks', async () => {
      const { url, logs } = await startTester();
      assert.deepEqual(await post(`${url}/rollback/check`, canary()), { status: 403, text: 'Forbidden' });
      assert.equal((await post(`${url}/rollback/open`, canary())).status, 202);
      assert.deepEqual(await post(`${url}/rollback/check`, canary()), { status: 200, text: 'Approved' });
      assert.equal(
        (await post(`${url}/gate/check`, canary())).status,
        403,
        'the confirmation gate stays closed',
      );
      assert.equal((await post(`${url}/rollback/close`, canary())).status, 202);
      assert.equal((await post(`${url}/rollback/check`, canary())).status, 403);
      assert.ok(logs.some(l => l.msg === 'rollback.podinfo.test rollback opened'));
    });

    it('keeps gates across a restart with the same store file, and under concurrent requests', async () => {
      const path = join(dir, 'restart', 'gates.json');
      const first = await startTester({ gates: await FileGateStore.open(path) });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          post(`${first.url}/gate/open`, { name: `app${i}`, namespace: 'test' }).then(r =>
            assert.equal(r.status, 202),
          ),
        ),
      );
      assert.equal((await post(`${first.url}/rollback/open`, canary())).status, 202);
      assert.equal((await post(`${first.url}/gate/close`, { name: 'app3', namespace: 'test' })).status, 202);
      await first.server.stop();

      const second = await startTester({ gates: await FileGateStore.open(path) });
      for (let i = 0; i < 20; i++) {
        const { status } = await post(`${second.url}/gate/check`, { name: `app${i}`, namespace: 'test' });
        assert.equal(status, i === 3 ? 403 : 200, `app${i}`);
      }
      assert.equal((await post(`${second.url}/rollback/check`, canary())).status, 200);
      const stored = JSON.parse(await readFile(path, 'utf8')) as Record<string, boolean>;
      assert.equal(stored['rollback.podinfo.test'], true);
      assert.equal(stored['app3.test'], false);
    });

    it('answers 500 when the gate cannot be stored, and the gate stays closed', async () => {
      const blocker = join(dir, 'blocker');
      const gates = await FileGateStore.open(join(blocker, 'gates.json'));
      await writeFile(blocker, '');
      const { url } = await startTester({ gates });
      const open = await post(`${url}/gate/open`, canary());
      assert.equal(open.status, 500);
      assert.match(open.text, /^gate open failed: /);
      assert.equal((await post(`${url}/gate/check`, canary())).status, 403);
    });
  });

  it('refuses canaries outside -namespace-regexp with 403', async () => {
    const { url } = await startTester({ namespaceRegexp: '^(test|staging)$' });
    const task = { cmd: 'true', type: 'bash' };
    for (const path of ['/gate/check', '/gate/open', '/gate/close', '/rollback/check', '/rollback/open', '/'])
      assert.deepEqual(
        await post(`${url}${path}`, canary(task, 'prod')),
        { status: 403, text: 'Forbidden' },
        path,
      );
    assert.equal((await post(`${url}/gate/open`, canary(undefined, 'staging'))).status, 202);
    assert.equal((await post(`${url}/`, canary(task, 'test'))).status, 200);
    // Endpoints that read no payload are not restricted, as in Flagger.
    assert.equal((await post(`${url}/gate/approve`, canary(undefined, 'prod'))).status, 200);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  });

  describe('task handler', () => {
    it('requires metadata, and rejects unknown types and invalid options with 400', async () => {
      const { url } = await startTester();
      assert.deepEqual(await post(`${url}/`, canary()), {
        status: 400,
        text: 'metadata not found in payload',
      });
      assert.deepEqual(await post(`${url}/`, canary({})), {
        status: 400,
        text: 'metadata not found in payload',
      });
      assert.deepEqual(await post(`${url}/`, canary({ type: 'jmeter', cmd: 'x' })), {
        status: 400,
        text: 'unknown task type jmeter',
      });
      assert.deepEqual(await post(`${url}/`, canary({ type: 'cmd' })), {
        status: 400,
        text: 'cmd not found in metadata',
      });
      const badBool = await post(`${url}/`, canary({ type: 'bash', cmd: 'true', returnCmdOutput: 'yes' }));
      assert.equal(badBool.status, 400);
      assert.match(badBool.text, /returnCmdOutput must be a boolean/);
      // Go's ServeMux sends every other path to the task handler.
      assert.equal((await post(`${url}/anything`, canary({ type: 'bash', cmd: 'true' }))).status, 200);
    });

    it('cmd: runs hey once per request burst, generating exactly the requested load', async () => {
      const target = await serve();
      const { url, server, logs } = await startTester();
      const cmd = `hey -n 30 -c 1 -q 15 ${target.url}/`;
      for (let i = 0; i < 5; i++) {
        assert.deepEqual(await post(`${url}/`, canary({ cmd, logCmdOutput: 'true' })), {
          status: 202,
          text: '',
        });
        await sleep(100);
      }
      assert.equal(server.runner.runningKeys.length, 1, 'one hey for five calls');
      await waitFor(() => server.runner.runningKeys.length === 0, 20_000, 'hey did not finish');
      assert.equal(target.requests.length, 30);
      const messages = logs.map(l => String(l.msg));
      assert.equal(messages.filter(m => m === `task starting ${cmd}`).length, 1);
      assert.equal(messages.filter(m => m === `command skipped ${cmd} is already running`).length, 4);
      assert.ok(messages.includes(`command finished ${cmd}`));
      assert.ok(
        messages.some(m => m.includes('Summary:') && m.includes('[200]\t30 responses')),
        'logCmdOutput logs the hey report',
      );
      assert.ok(
        logs.filter(l => l.msg === `command finished ${cmd}`).every(l => l.canary === 'podinfo.test'),
      );

      // Once finished, the next call starts it again; another canary runs its own copy at the same time.
      assert.equal((await post(`${url}/`, canary({ cmd }))).status, 202);
      assert.equal((await post(`${url}/`, canary({ cmd }, 'other'))).status, 202);
      assert.equal(server.runner.runningKeys.length, 2);
      await waitFor(() => server.runner.runningKeys.length === 0, 20_000, 'hey did not finish');
      assert.equal(target.requests.length, 90);
    });

    it('cmd: runs wrk', async () => {
      const target = await serve();
      const { url, server } = await startTester();
      const cmd = `wrk -t 1 -c 2 -d 1s ${target.url}/`;
      assert.equal((await post(`${url}/`, canary({ type: 'cmd', cmd }))).status, 202);
      await waitFor(() => server.runner.runningKeys.length === 0, 20_000, 'wrk did not finish');
      assert.ok(target.requests.length > 10, `wrk sent ${target.requests.length} requests`);
    });

    it('cmd: a failing command is logged, not answered', async () => {
      const { url, server, logs } = await startTester();
      assert.equal((await post(`${url}/`, canary({ cmd: 'echo broken >&2; exit 4' }))).status, 202);
      await waitFor(() => server.runner.runningKeys.length === 0, 10_000, 'cmd did not finish');
      const failed = logs.find(l => String(l.msg).startsWith('command failed'));
      assert.equal(failed?.level, 'error');
      assert.equal(failed.msg, 'command failed echo broken >&2; exit 4 exit status 4 broken\n');
    });

    it('bash: 500 with the command, its output and exit status on failure; 200 otherwise', async () => {
      const { url } = await startTester();
      const cmd = 'echo out; echo err >&2; exit 3';
      const failed = await post(`${url}/`, canary({ type: 'bash', cmd }));
      assert.equal(failed.status, 500);
      assert.equal(failed.text, `command ${cmd} failed: out\nerr\n: exit status 3`);
      assert.deepEqual(await post(`${url}/`, canary({ type: 'bash', cmd: 'echo fine' })), {
        status: 200,
        text: '',
      });
      assert.deepEqual(
        await post(
          `${url}/`,
          canary({ type: 'bash', cmd: 'echo fine; [[ 1 == 1 ]]', returnCmdOutput: 'true' }),
        ),
        { status: 200, text: 'fine\n' },
      );
    });

    it('bash: keeps at most 1 MiB of output by default and says so', async () => {
      const { url } = await startTester();
      const { status, text } = await post(
        `${url}/`,
        canary({ type: 'bash', cmd: "head -c 3000000 /dev/zero | tr '\\0' x", returnCmdOutput: 'true' }),
      );
      assert.equal(status, 200);
      assert.match(
        text,
        /^\[output truncated: first 1951424 bytes dropped, last 1048576 kept \(-max-output-bytes\)\]\nx+$/,
      );
      assert.equal(text.length - text.indexOf('\n') - 1, 1024 * 1024);
    });

    it('bash: -timeout kills the command and everything it started', async () => {
      const { url } = await startTester({ timeoutMs: 500 });
      const pidFile = join(dir, 'timeout.pid');
      const started = Date.now();
      const { status, text } = await post(
        `${url}/`,
        canary({ type: 'bash', cmd: `sleep 30 & echo $! > ${pidFile}; wait` }),
      );
      assert.equal(status, 500);
      assert.match(text, /: signal: killed \(timed out after 500ms\)$/);
      assert.ok(Date.now() - started < 5_000);
      const pid = Number(await readFile(pidFile, 'utf8'));
      await waitFor(() => !processAlive(pid), 5_000, 'the background sleep survived');
    });

    it('bash: stops the command when the caller hangs up', async () => {
      const { url } = await startTester();
      const pidFile = join(dir, 'hangup.pid');
      await assert.rejects(
        post(`${url}/`, canary({ type: 'bash', cmd: `echo $$ > ${pidFile}; sleep 30` }), {
          signal: AbortSignal.timeout(500),
        }),
      );
      await waitFor(async () => (await readFile(pidFile, 'utf8').catch(() => '')) !== '', 5_000, 'no pid');
      const pid = Number(await readFile(pidFile, 'utf8'));
      await waitFor(() => !processAlive(pid), 5_000, 'the command outlived its caller');
    });

    it('helm, helmv3 and kubectl: exec the binary with quote-aware arguments and no shell', async () => {
      const bin = join(dir, 'bin');
      await rm(bin, { recursive: true, force: true });
      await mkdir(bin);
      const script = '#!/bin/sh\necho "$(basename "$0")"\nfor a in "$@"; do echo "[$a]"; done\n';
      for (const name of ['helm', 'kubectl']) {
        await writeFile(join(bin, name), script);
        await chmod(join(bin, name), 0o755);
      }
      const { url } = await startTester({
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
      });
      const marker = join(dir, 'injected');
      const kubectl = await post(
        `${url}/`,
        canary({
          type: 'kubectl',
          cmd: `get pods -l "app=podinfo, tier=web" -o 'jsonpath={.items}'; touch ${marker}`,
          returnCmdOutput: 'true',
        }),
      );
      assert.deepEqual(kubectl, {
        status: 200,
        text: `kubectl\n[get]\n[pods]\n[-l]\n[app=podinfo, tier=web]\n[-o]\n[jsonpath={.items};]\n[touch]\n[${marker}]\n`,
      });
      await assert.rejects(readFile(marker), 'nothing ran through a shell');
      const helm = await post(
        `${url}/`,
        canary({ type: 'helm', cmd: 'test podinfo -n test', returnCmdOutput: 'true' }),
      );
      assert.deepEqual(helm, { status: 200, text: 'helm\n[test]\n[podinfo]\n[-n]\n[test]\n' });
      // Without a helmv3 binary, helmv3 uses helm.
      const helmv3 = await post(
        `${url}/`,
        canary({ type: 'helmv3', cmd: 'test podinfo', returnCmdOutput: '1' }),
      );
      assert.deepEqual(helmv3, { status: 200, text: 'helm\n[test]\n[podinfo]\n' });
      const unterminated = await post(`${url}/`, canary({ type: 'helm', cmd: "test 'podinfo" }));
      assert.equal(unterminated.status, 400);
      assert.match(unterminated.text, /unterminated single quote/);
    });

    it('kubectl: a missing binary or a failing command is a 500', async () => {
      const { url } = await startTester({ env: { ...process.env, PATH: join(dir, 'empty') } });
      const missing = await post(`${url}/`, canary({ type: 'kubectl', cmd: 'get pods' }));
      assert.equal(missing.status, 500);
      assert.equal(
        missing.text,
        'command kubectl get pods failed: : exec: "kubectl": executable file not found in $PATH',
      );
    });
  });

  describe('concord', () => {
    const concordServer = async (statuses: string[]) => {
      let polls = 0;
      const local = await serve((req, _body, res) => {
        if (req.method === 'POST' && req.url === '/api/v1/process')
          return json(res, { instanceId: 'abc-1', ok: true });
        if (req.method === 'GET' && req.url === '/api/v1/process/abc-1')
          return json(res, { instanceId: 'abc-1', status: statuses[Math.min(polls++, statuses.length - 1)] });
        return json(res, { error: 'not found' }, 404);
      });
      return local;
    };
    const metadata = async (server: string, extra: Record<string, string> = {}) => {
      const apiKeyPath = join(dir, 'concord-key');
      await writeFile(apiKeyPath, 'secret-api-key\n');
      return {
        type: 'concord',
        server,
        org: 'my org',
        project: 'my project',
        repo: 'my repo',
        entrypoint: 'smoke',
        apiKeyPath,
        endpoint: 'http://podinfo-canary.test:9898/',
        pollInterval: '1',
        pollTimeout: '10',
        ...extra,
      };
    };

    it('starts a process with the multipart form Flagger sends and waits for FINISHED', async () => {
      const concord = await concordServer(['RUNNING', 'FINISHED']);
      const { url } = await startTester();
      const answer = await post(
        `${url}/`,
        canary(
          await metadata(`${concord.url}/ignored/path`, { 'arguments.zone': 'eu', 'arguments.build': '7' }),
        ),
      );
      assert.deepEqual(answer, { status: 200, text: '' });
      const [start, ...polls] = concord.requests;
      assert.ok(start);
      assert.equal(start.req.url, '/api/v1/process');
      assert.equal(start.req.headers.authorization, 'secret-api-key');
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(
        start.req.headers['content-type'] ?? '',
      )?.[1];
      assert.ok(boundary, start.req.headers['content-type']);
      const fields = start.body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map(part =>
          /^\r\nContent-Disposition: form-data; name="([^"]+)"\r\n\r\n(.*)\r\n$/s.exec(part)?.slice(1),
        );
      assert.deepEqual(fields, [
        ['org', 'my org'],
        ['project', 'my project'],
        ['repo', 'my repo'],
        ['entryPoint', 'smoke'],
        ['arguments.endpoint', 'http://podinfo-canary.test:9898/'],
        ['arguments.build', '7'],
        ['arguments.zone', 'eu'],
      ]);
      assert.ok(start.body.endsWith(`--${boundary}--\r\n`));
      assert.deepEqual(
        polls.map(p => [p.req.method, p.req.url, p.req.headers.authorization]),
        [
          ['GET', '/api/v1/process/abc-1', 'secret-api-key'],
          ['GET', '/api/v1/process/abc-1', 'secret-api-key'],
        ],
      );
    });

    it('answers 500 when the process fails or does not finish within pollTimeout', async () => {
      const failing = await concordServer(['RUNNING', 'FAILED']);
      const { url } = await startTester();
      assert.deepEqual(await post(`${url}/`, canary(await metadata(failing.url))), {
        status: 500,
        text: 'concord instanceID: abc-1 failed',
      });
      const stuck = await concordServer(['RUNNING']);
      const started = Date.now();
      assert.deepEqual(await post(`${url}/`, canary(await metadata(stuck.url, { pollTimeout: '2' }))), {
        status: 500,
        text: 'concord process timed out, after 2 seconds',
      });
      assert.ok(Date.now() - started < 4_000);
    });

    it('answers 500 when Concord refuses to start the process, 400 for bad metadata', async () => {
      const refusing = await serve((_req, _body, res) => json(res, { message: 'unauthorized' }, 401));
      const { url } = await startTester();
      const refused = await post(`${url}/`, canary(await metadata(refusing.url)));
      assert.equal(refused.status, 500);
      assert.match(refused.text, /^failed to start concord process: POST .* answered 401/);
      const noEndpoint = await metadata(refusing.url);
      delete (noEndpoint as Partial<typeof noEndpoint>).endpoint;
      assert.deepEqual(await post(`${url}/`, canary(noEndpoint)), {
        status: 400,
        text: '`endpoint` is required with type concord',
      });
    });
  });

  describe('ngrinder', () => {
    const ngrinderServer = async (statuses: string[]) => {
      let polls = 0;
      return serve((req, _body, res) => {
        if (req.headers.authorization !== `Basic ${Buffer.from('admin:s3cret').toString('base64')}`)
          return json(res, { success: false, message: 'unauthorized' }, 401);
        if (req.method === 'POST' && req.url === '/ngrinder/perftest/api/100/clone_and_start')
          return json(res, { success: true, id: 7 });
        if (req.method === 'GET' && req.url === '/ngrinder/perftest/api/7/status')
          return json(res, { status: [{ status_id: statuses[Math.min(polls++, statuses.length - 1)] }] });
        if (req.method === 'PUT' && req.url === '/ngrinder/perftest/api/7?action=stop')
          return json(res, { success: true });
        return json(res, { success: false }, 404);
      });
    };
    const metadata = (server: string) => ({
      type: 'ngrinder',
      server: `${server}/ngrinder/`,
      clone: '100',
      username: 'admin',
      passwd: Buffer.from('s3cret').toString('base64'),
      pollInterval: '100ms',
    });

    it('clones and starts the test once, polls at pollInterval until FINISHED', async () => {
      const ngrinder = await ngrinderServer([
        'READY',
        'TESTING',
        'TESTING',
        'TESTING',
        'TESTING',
        'FINISHED',
      ]);
      const { url, server, logs } = await startTester();
      for (let i = 0; i < 3; i++)
        assert.deepEqual(await post(`${url}/`, canary(metadata(ngrinder.url))), { status: 202, text: '' });
      const started = Date.now();
      await waitFor(() => server.runner.runningKeys.length === 0, 10_000, 'the ngrinder task did not end');
      assert.ok(Date.now() - started < 3_000, 'polled every 100ms, not every 100000s');
      const calls = ngrinder.requests.map(r => `${r.req.method ?? ''} ${r.req.url ?? ''}`);
      assert.deepEqual(calls, [
        'POST /ngrinder/perftest/api/100/clone_and_start',
        ...Array<string>(6).fill('GET /ngrinder/perftest/api/7/status'),
      ]);
      assert.ok(logs.some(l => l.msg === 'ngrinder test 7 finished'));
    });

    it('stops the nGrinder test when -timeout ends the task', async () => {
      const ngrinder = await ngrinderServer(['TESTING']);
      const { url, server, logs } = await startTester({ timeoutMs: 700 });
      assert.equal((await post(`${url}/`, canary(metadata(ngrinder.url)))).status, 202);
      await waitFor(() => server.runner.runningKeys.length === 0, 10_000, 'the ngrinder task did not end');
      const last = ngrinder.requests.at(-1);
      assert.equal(
        `${last?.req.method ?? ''} ${last?.req.url ?? ''}`,
        'PUT /ngrinder/perftest/api/7?action=stop',
      );
      assert.ok(logs.some(l => l.msg === 'timed out after 700ms, stop ngrinder task 7 forcibly'));
    });

    it('rejects incomplete metadata with 400', async () => {
      const { url } = await startTester();
      const noPassword: Partial<ReturnType<typeof metadata>> = metadata('http://127.0.0.1:1');
      delete noPassword.passwd;
      assert.deepEqual(await post(`${url}/`, canary(noPassword)), {
        status: 400,
        text: 'server, clone, username and passwd are required metadata',
      });
    });
  });

  it('stops background tasks and their children on stop()', async () => {
    const { url, server } = await startTester();
    const pidFile = join(dir, 'shutdown.pid');
    assert.equal(
      (await post(`${url}/`, canary({ cmd: `sleep 30 & echo $! > ${pidFile}; wait` }))).status,
      202,
    );
    await waitFor(async () => (await readFile(pidFile, 'utf8').catch(() => '')) !== '', 5_000, 'no pid');
    const pid = Number(await readFile(pidFile, 'utf8'));
    const started = Date.now();
    await server.stop();
    assert.ok(Date.now() - started < 3_000);
    assert.deepEqual(server.runner.runningKeys, []);
    await waitFor(() => !processAlive(pid), 5_000, 'the sleep survived the shutdown');
  });

  it('the binary parses the flags, serves, and exits 0 on SIGTERM', async () => {
    const bin = new URL('../../bin/flagger-loadtester.js', import.meta.url).pathname;
    const version = spawn(process.execPath, [bin, '-version']);
    let out = '';
    version.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    assert.equal(await new Promise(resolve => version.once('exit', resolve)), 0);
    assert.equal(out, `${VERSION}\n`);
    const bad = spawn(process.execPath, [bin, '-no-such-flag']);
    assert.equal(await new Promise(resolve => bad.once('exit', resolve)), 2);

    const path = join(dir, 'binary', 'gates.json');
    const child = spawn(process.execPath, [
      bin,
      '-port=0',
      '-log-level=info',
      '-timeout=10m',
      `-gate-storage=file:${path}`,
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
    try {
      await waitFor(() => /API on port \d+/.test(stderr), 10_000, 'the binary did not start');
      const port = /API on port (\d+)/.exec(stderr)?.[1] ?? '';
      assert.equal((await post(`http://127.0.0.1:${port}/gate/open`, canary())).status, 202);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { 'podinfo.test': true });
    const lines = stderr
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as Record<string, unknown>);
    assert.ok(lines.some(l => l.msg === `Gate storage: file ${path}`));
    assert.ok(lines.some(l => l.msg === 'HTTP server stopped'));
  });
});
