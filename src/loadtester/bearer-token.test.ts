import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../logging/logger.ts';
import { jsonLogSink } from '../../test/harness/json-log.ts';
import { bearerTokenOf, BearerTokenFile, tokensOf } from './bearer-token.ts';
import { MemoryGateStore } from './gate-store.ts';
import { LoadTesterServer } from './server.ts';

describe('bearer token parsing', () => {
  it('reads one token per line, surrounding whitespace and blank lines ignored', () => {
    assert.deepEqual(tokensOf('s3cret\n'), ['s3cret']);
    assert.deepEqual(tokensOf('  old \r\n\nnew\n'), ['old', 'new']);
    assert.deepEqual(tokensOf('\n \n'), []);
  });

  for (const [header, token] of [
    ['Bearer abc', 'abc'],
    ['bearer  abc ', 'abc'],
    ['BEARER a b', 'a b'],
    ['Bearer ', undefined],
    ['Bearer', undefined],
    ['Basic dTpw', undefined],
    ['abc', undefined],
    [undefined, undefined],
  ] as const) {
    it(`takes ${JSON.stringify(token)} from ${JSON.stringify(header)}`, () =>
      assert.equal(bearerTokenOf(header), token));
  }
});

describe('BearerTokenFile', () => {
  let dir = '';
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', destination: jsonLogSink(logs) });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bearer-token-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses to start from a missing or empty file', async () => {
    await assert.rejects(BearerTokenFile.open(join(dir, 'absent'), logger), /ENOENT/);
    await writeFile(join(dir, 'empty'), '\n');
    await assert.rejects(BearerTokenFile.open(join(dir, 'empty'), logger), /holds no token/);
  });

  it('accepts any token of the file and tells a missing token from a wrong one', async () => {
    const path = join(dir, 'tokens');
    await writeFile(path, 'old-token\nnew-token\n');
    const tokens = await BearerTokenFile.open(path, logger);
    assert.equal(await tokens.verify('Bearer old-token'), 'accepted');
    assert.equal(await tokens.verify('Bearer new-token'), 'accepted');
    assert.equal(await tokens.verify('Bearer new-token2'), 'invalid');
    assert.equal(await tokens.verify('Bearer new'), 'invalid');
    assert.equal(await tokens.verify('Bearer old-token new-token'), 'invalid');
    assert.equal(await tokens.verify('Basic b2xkLXRva2Vu'), 'missing');
    assert.equal(await tokens.verify(undefined), 'missing');
  });

  it('follows a Secret rotated the way the kubelet does it, and keeps the last tokens when the file goes', async () => {
    // A Secret volume: token -> ..data/token, ..data -> a timestamped directory swapped by a rename.
    const volume = join(dir, 'volume');
    await mkdir(join(volume, 'v1'), { recursive: true });
    await writeFile(join(volume, 'v1', 'token'), 'first\n');
    await symlink('v1', join(volume, '..data'));
    await symlink('..data/token', join(volume, 'token'));
    const tokens = await BearerTokenFile.open(join(volume, 'token'), logger);
    assert.equal(await tokens.verify('Bearer first'), 'accepted');

    await mkdir(join(volume, 'v2'));
    await writeFile(join(volume, 'v2', 'token'), 'second\n');
    await symlink('v2', join(volume, '..data_tmp'));
    await rename(join(volume, '..data_tmp'), join(volume, '..data'));
    assert.equal(await tokens.verify('Bearer first'), 'invalid');
    assert.equal(await tokens.verify('Bearer second'), 'accepted');

    await rm(join(volume, 'v2'), { recursive: true });
    assert.equal(await tokens.verify('Bearer second'), 'accepted');
    assert.equal(await tokens.verify('Bearer second'), 'accepted');
    const warnings = logs.filter(l => l.level === 'warn' && String(l.msg).includes('-auth-token-file'));
    assert.equal(warnings.length, 1, 'one warning per problem, not one per request');
    assert.ok(
      logs.every(l => !JSON.stringify(l).includes('second')),
      'no token in the log',
    );
  });
});

describe('a load tester started with a token file', () => {
  let dir = '';
  let server: LoadTesterServer;
  let url = '';
  const logs: Record<string, unknown>[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bearer-server-'));
    await writeFile(join(dir, 'token'), 'let-me-in\n');
    server = await LoadTesterServer.start({
      port: 0,
      host: '127.0.0.1',
      timeoutMs: 10_000,
      gates: new MemoryGateStore(),
      logger: createLogger({ level: 'debug', destination: jsonLogSink(logs) }),
      authTokenFile: join(dir, 'token'),
    });
    url = `http://127.0.0.1:${server.port}`;
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const payload = JSON.stringify({ name: 'podinfo', namespace: 'test', phase: 'Progressing', metadata: {} });
  async function post(path: string, authorization?: string) {
    const headers = authorization === undefined ? undefined : { authorization };
    const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: payload });
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      text: await response.text(),
    };
  }

  for (const path of ['/', '/anything', '/gate/approve', '/gate/check', '/gate/open', '/rollback/check']) {
    it(`answers 401 on ${path} without the token or with a wrong one`, async () => {
      assert.deepEqual(await post(path), {
        status: 401,
        challenge: 'Bearer realm="flagger-loadtester"',
        text: 'Unauthorized: this load tester requires an Authorization: Bearer <token> header (-auth-token-file)',
      });
      assert.deepEqual(await post(path, 'Bearer let-me-out'), {
        status: 401,
        challenge: 'Bearer realm="flagger-loadtester", error="invalid_token"',
        text: 'Unauthorized: the bearer token is not valid (-auth-token-file)',
      });
    });
  }

  it('serves the gates and tasks to a caller with the token', async () => {
    assert.equal((await post('/gate/approve', 'Bearer let-me-in')).status, 200);
    assert.equal((await post('/gate/check', 'Bearer let-me-in')).status, 403);
    // The payload reached the task handler: its metadata is empty.
    assert.deepEqual(await post('/', 'Bearer let-me-in'), {
      status: 400,
      challenge: null,
      text: 'metadata not found in payload',
    });
  });

  it('keeps /healthz and /metrics open to probes and Prometheus', async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/metrics`)).status, 200);
  });

  it('logs refusals without the tokens offered', () => {
    assert.ok(
      logs.some(l => l.msg === `Tasks and gates require a bearer token from ${dir}/token (-auth-token-file)`),
    );
    assert.ok(
      logs.some(l =>
        /^POST \/gate\/open from 127\.0\.0\.1 refused: invalid bearer token$/.test(String(l.msg)),
      ),
    );
    assert.ok(logs.every(l => !JSON.stringify(l).includes('let-me')));
  });
});
