// The load tester image's gRPC tools, ghz and grpc_health_probe, as processes against a real gRPC server on
// 127.0.0.1 with the standard health service (and server reflection), and through the load tester's tasks as
// Flagger's webhook docs run them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { provideHealthProto } from '../../src/loadtester/grpc/health-proto.ts';
import type { LoadTesterServer } from '../../src/loadtester/server.ts';
import { freePort, waitFor } from '../../src/playground/process.ts';
import { startHealthServer, type HealthServer } from '../harness/grpc-health-server.ts';
import { startTester } from '../harness/loadtester.ts';

const BIN = new URL('../../bin/', import.meta.url).pathname;
const CHECK = '--call=grpc.health.v1.Health/Check';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/<name>.js as its own process with the Node.js running the tests. */
function run(name: 'ghz' | 'grpc_health_probe', args: string[]): Promise<Run> {
  return new Promise(resolve => {
    execFile(process.execPath, [join(BIN, `${name}.js`), ...args], (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('gRPC load testing tools', () => {
  let server: HealthServer;
  let dir = '';
  let proto = '';
  let refused = '';
  const testers: LoadTesterServer[] = [];

  before(async () => {
    server = await startHealthServer({ reflection: true });
    server.statuses.set('podinfo', 'SERVING');
    server.statuses.set('down', 'NOT_SERVING');
    dir = await mkdtemp(join(tmpdir(), 'loadtester-grpc-'));
    proto = await provideHealthProto(join(dir, 'ghz'));
    refused = `127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    await Promise.all(testers.map(t => t.stop()));
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('grpc_health_probe', () => {
    const cases: { name: string; args: () => string[]; code: number; stderr: () => string }[] = [
      { name: 'SERVING', args: () => [`-addr=${server.addr}`], code: 0, stderr: () => 'status: SERVING\n' },
      {
        name: 'a SERVING service',
        args: () => ['--addr', server.addr, '-service', 'podinfo'],
        code: 0,
        stderr: () => 'status: SERVING\n',
      },
      {
        name: 'NOT_SERVING',
        args: () => [`-addr=${server.addr}`, '-service=down'],
        code: 4,
        stderr: () => 'service unhealthy (responded with "NOT_SERVING")\n',
      },
      {
        name: 'an unknown service',
        args: () => [`-addr=${server.addr}`, '-service=nope'],
        code: 3,
        stderr: () => 'error: health rpc failed: rpc error: code = NotFound desc = unknown service\n',
      },
      {
        name: 'connection refused',
        args: () => [`-addr=${refused}`, '-connect-timeout=300ms'],
        code: 2,
        stderr: () => `timeout: failed to connect service "${refused}" within 300ms\n`,
      },
      { name: 'no -addr', args: () => [], code: 1, stderr: () => 'error: -addr not specified\n' },
    ];
    for (const c of cases) {
      it(`exits ${c.code} for ${c.name}`, async () => {
        assert.deepEqual(await run('grpc_health_probe', c.args()), {
          code: c.code,
          stdout: '',
          stderr: c.stderr(),
        });
      });
    }

    it('sends -rpc-header and -user-agent with the check', async () => {
      const before = server.checks.length;
      const probe = await run('grpc_health_probe', [
        `-addr=${server.addr}`,
        '-rpc-header=X-Probe: one',
        '-rpc-header',
        'x-probe:two',
        '-user-agent=kubelet-probe',
      ]);
      assert.equal(probe.code, 0, probe.stderr);
      assert.equal(server.checks.length, before + 1);
      const check = server.checks.at(-1);
      assert.ok(check);
      // Both values, lowercased name; grpc-js joins repeated headers into one.
      assert.equal(check.metadata['x-probe']?.join(', '), 'one, two');
      assert.match(String(check.metadata['user-agent']?.[0]), /^kubelet-probe /);
    });
  });

  describe('ghz', () => {
    it('runs a fixed number of calls from a .proto file and prints the summary', async () => {
      const before = server.checks.length;
      const ghz = await run('ghz', [
        '--insecure',
        `--proto=${proto}`,
        CHECK,
        '-n',
        '50',
        '-c',
        '5',
        server.addr,
      ]);
      assert.equal(ghz.code, 0, ghz.stderr);
      assert.equal(server.checks.length - before, 50);
      assert.match(ghz.stdout, /^\nSummary:\n {2}Count:\t50\n {2}Total:\t[\d.]+ m?s\n/);
      for (const heading of [
        'Response time histogram:',
        'Latency distribution:',
        'Status code distribution:',
      ])
        assert.ok(ghz.stdout.includes(`\n${heading}\n`), heading);
      assert.match(ghz.stdout, /^ {2}99 % in [\d.]+ m?s $/m);
      assert.match(ghz.stdout, /^ {2}\[OK\] {3}50 responses {3}$/m);
      assert.doesNotMatch(ghz.stdout, /Error distribution/);
    });

    it('finds the method by server reflection when no --proto is given', async () => {
      const ghz = await run('ghz', ['--insecure', CHECK, '-n', '10', '-c', '2', '-O', 'json', server.addr]);
      assert.equal(ghz.code, 0, ghz.stderr);
      const report = JSON.parse(ghz.stdout) as Record<string, unknown>;
      assert.equal(report.count, 10);
      assert.equal(report.endReason, 'normal');
      assert.deepEqual(report.statusCodeDistribution, { OK: 10 });
      assert.equal((report.details as unknown[]).length, 10);
    });

    it('sends -d data and -m metadata, and reports failed calls by status and error', async () => {
      const before = server.checks.length;
      const ghz = await run('ghz', [
        '--insecure',
        `--proto=${proto}`,
        CHECK,
        '-d',
        '{"service":"nope"}',
        '-m',
        '{"x-load":"ghz"}',
        '-n',
        '5',
        '-c',
        '1',
        server.addr,
      ]);
      assert.equal(ghz.code, 0, ghz.stderr);
      assert.ok(
        server.checks.slice(before).every(c => c.service === 'nope' && c.metadata['x-load']?.[0] === 'ghz'),
      );
      assert.match(ghz.stdout, /^ {2}\[NotFound\] {3}5 responses {3}$/m);
      assert.match(
        ghz.stdout,
        /^Error distribution:\n {2}\[5\] {3}rpc error: code = NotFound desc = unknown service {3}$/m,
      );
    });

    it('reports a refused connection as Unavailable calls, and a refused reflection as an error', async () => {
      const withProto = await run('ghz', [
        '--insecure',
        `--proto=${proto}`,
        CHECK,
        '-n',
        '3',
        '-c',
        '1',
        refused,
      ]);
      assert.equal(withProto.code, 0, withProto.stderr);
      assert.match(withProto.stdout, /^ {2}\[Unavailable\] {3}3 responses {3}$/m);
      const byReflection = await run('ghz', ['--insecure', CHECK, '-n', '3', refused]);
      assert.equal(byReflection.code, 1);
      assert.match(byReflection.stderr, /^rpc error: code = Unavailable desc = /);
    });

    it('leaves --skipFirst calls out of the tally and writes csv to -o', async () => {
      const out = join(dir, 'calls.csv');
      const before = server.checks.length;
      const ghz = await run('ghz', [
        ...['--insecure', `--proto=${proto}`, CHECK, '-n', '10', '-c', '1', '--skipFirst', '4'],
        ...['-O', 'csv', '-o', out, server.addr],
      ]);
      assert.deepEqual(ghz, { code: 0, stdout: '', stderr: '' });
      assert.equal(server.checks.length - before, 10);
      const rows = (await readFile(out, 'utf8')).trim().split('\n');
      assert.equal(rows[0], 'duration (ms),status,error');
      assert.equal(rows.length, 1 + 6);
      assert.ok(
        rows.slice(1).every(row => /^\s*[\d.]+,OK,$/.test(row)),
        rows.join('\n'),
      );
    });

    it('runs for -z at the -q rate', async () => {
      const ghz = await run('ghz', [
        '-z',
        '2s',
        '-q',
        '10',
        '-c',
        '2',
        '--insecure',
        `--proto=${proto}`,
        CHECK,
        server.addr,
      ]);
      assert.equal(ghz.code, 0, ghz.stderr);
      const count = Number(/Count:\t(\d+)/.exec(ghz.stdout)?.[1]);
      assert.ok(count >= 10 && count <= 21, `${count} calls in 2s at 10/s`);
    });

    const refusals: [string[], string][] = [
      // Flagger's first example has no --call: ghz needs one even with reflection.
      [['-z', '1m', '-q', '10', '-c', '2', '--insecure', 'podinfo.test:9898'], 'call required\n'],
      [['--insecure', CHECK], 'host required\n'],
      [['--nope', 'h:1'], "ghz: error: unknown long flag '--nope', try --help\n"],
      [
        ['--insecure', '--call=grpc.health.v1.Nope/Check', '--proto=/nonexistent/health.proto', 'h:1'],
        'open /nonexistent/health.proto: no such file or directory\n',
      ],
    ];
    for (const [args, stderr] of refusals) {
      it(`exits 1 with ${JSON.stringify(stderr)}`, async () => {
        assert.deepEqual(await run('ghz', args), { code: 1, stdout: '', stderr });
      });
    }

    it('says which symbol reflection does not know', async () => {
      const ghz = await run('ghz', ['--insecure', '--call=podinfo.Nope/Check', '-n', '1', server.addr]);
      assert.deepEqual(ghz, { code: 1, stdout: '', stderr: 'Symbol not found: podinfo.Nope\n' });
    });
  });

  describe('through the load tester', () => {
    // The commands as the image has them: on PATH, started by the Node.js that runs the tests.
    const env = async () => {
      const bin = join(dir, 'bin');
      await rm(bin, { recursive: true, force: true });
      await mkdir(bin);
      for (const name of ['ghz', 'grpc_health_probe'])
        await symlink(join(BIN, `${name}.js`), join(bin, name));
      return { ...process.env, PATH: [bin, dirname(process.execPath), process.env.PATH ?? ''].join(':') };
    };
    const canary = (metadata: Record<string, string>) => ({
      name: 'podinfo',
      namespace: 'test',
      phase: 'Progressing',
      metadata,
    });
    const post = async (url: string, body: unknown) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, text: await response.text() };
    };

    it("runs Flagger's documented ghz webhook command as a cmd task", async () => {
      const tester = await startTester(testers, { env: await env() });
      const before = server.checks.length;
      // docs/usage/webhooks.md: grpc-load-test-no-reflection, with this server and this health.proto.
      const cmd = `ghz --insecure --proto=${proto} --call=grpc.health.v1.Health/Check ${server.addr}`;
      assert.deepEqual(await post(`${tester.url}/`, canary({ type: 'cmd', cmd, logCmdOutput: 'true' })), {
        status: 202,
        text: '',
      });
      await waitFor(() => tester.server.runner.runningKeys.length === 0, 60_000, 'ghz did not finish');
      const messages = tester.logs.map(l => String(l.msg));
      assert.ok(messages.includes(`command finished ${cmd}`), messages.join('\n'));
      assert.ok(messages.some(m => /Count:\t200\n/.test(m) && m.includes('[OK]   200 responses')));
      // ghz's defaults: 200 calls.
      assert.equal(server.checks.length - before, 200);
    });

    it('runs grpc_health_probe in a blocking bash task and fails it when the service is not SERVING', async () => {
      const tester = await startTester(testers, { env: await env() });
      const serving = await post(
        `${tester.url}/`,
        canary({
          type: 'bash',
          cmd: `grpc_health_probe -addr=${server.addr} -service=podinfo`,
          returnCmdOutput: 'true',
        }),
      );
      assert.deepEqual(serving, { status: 200, text: 'status: SERVING\n' });
      const cmd = `grpc_health_probe -addr=${server.addr} -service=down`;
      const down = await post(`${tester.url}/`, canary({ type: 'bash', cmd }));
      assert.deepEqual(down, {
        status: 500,
        text: `command ${cmd} failed: service unhealthy (responded with "NOT_SERVING")\n: exit status 4`,
      });
    });
  });
});
