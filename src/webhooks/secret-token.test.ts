import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { CanaryWebhook } from '../api/canary.ts';
import { withSecretTokens, type SecretSource } from './secret-token.ts';
import type { WebhookPayload } from './types.ts';

const payload: WebhookPayload = { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'abc' };
const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Secrets by "namespace/name", with their data as the API server sends it; the reads are recorded. */
function secretSource(secrets: Record<string, Record<string, string>>): SecretSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    get(namespace, name) {
      reads.push(`${namespace}/${name}`);
      const data = secrets[`${namespace}/${name}`];
      if (data === undefined) return Promise.reject(new Error(`secrets "${name}" not found`));
      return Promise.resolve({
        data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, base64(v)])),
      });
    },
  };
}

/** Records the headers of each request; /redirect-away and /redirect-here answer 307 to `away` and to /. */
function receiver(away: () => string): {
  server: Server;
  requests: { url: string; headers: IncomingHttpHeaders }[];
} {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    req.resume().on('end', () => {
      if (req.url === '/redirect-away') res.writeHead(307, { location: `${away()}/landed` }).end();
      else if (req.url === '/redirect-here') res.writeHead(307, { location: '/landed' }).end();
      else if (req.headers.authorization === 'Bearer right') res.writeHead(200).end('ok');
      else res.writeHead(401).end('Unauthorized: the bearer token is not valid');
    });
  });
  return { server, requests };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('webhook secretRef tokens', () => {
  const other = receiver(() => '');
  const main = receiver(() => otherUrl);
  let url = '';
  let otherUrl = '';
  before(async () => {
    url = await listen(main.server);
    otherUrl = await listen(other.server);
  });
  after(() => {
    main.server.close();
    other.server.close();
  });
  beforeEach(() => {
    main.requests.length = 0;
    other.requests.length = 0;
  });

  const secrets = secretSource({
    'test/loadtester': { token: 'right\n' },
    'test/no-key': { address: 'http://x/' },
    'test/spaced': { token: 'two words' },
    'other/loadtester': { token: 'wrong' },
  });
  const call = withSecretTokens(secrets);
  const hook = (path: string, secret?: string): CanaryWebhook => ({
    name: 'gate',
    url: `${url}${path}`,
    ...(secret !== undefined && { secretRef: { name: secret } }),
  });

  it('sends the token of the Secret in the canary namespace, without its final newline', async () => {
    assert.deepEqual(await call(hook('/', 'loadtester'), payload), { ok: true });
    assert.equal(main.requests[0]?.headers.authorization, 'Bearer right');
    assert.equal(secrets.reads.at(-1), 'test/loadtester');
    assert.deepEqual(await call(hook('/', 'loadtester'), { ...payload, namespace: 'other' }), {
      ok: false,
      message: 'Unauthorized: the bearer token is not valid',
    });
  });

  it('leaves hooks without secretRef as they were: no header, or Basic from the URL', async () => {
    assert.equal((await call(hook('/'), payload)).ok, false);
    assert.equal(main.requests[0]?.headers.authorization, undefined);
    const basic = { name: 'basic', url: url.replace('http://', 'http://user:pass@') };
    await call(basic, payload);
    assert.equal(main.requests[1]?.headers.authorization, `Basic ${base64('user:pass')}`);
  });

  for (const [secret, message] of [
    ['missing', 'secret test/missing (webhook secretRef): secrets "missing" not found'],
    ['no-key', 'secret test/no-key (webhook secretRef) has no key token, or it is empty'],
    [
      'spaced',
      'secret test/spaced (webhook secretRef): key token is not a bearer token (visible ASCII without spaces)',
    ],
  ] as const) {
    it(`fails without calling when the token cannot be had (${secret})`, async () => {
      assert.deepEqual(await call(hook('/', secret), payload), { ok: false, message });
      assert.equal(main.requests.length, 0);
    });
  }

  it('keeps the token on a redirect within the origin and drops it when the redirect leaves it', async () => {
    assert.deepEqual(await call(hook('/redirect-here', 'loadtester'), payload), { ok: true });
    assert.equal(main.requests[1]?.headers.authorization, 'Bearer right');
    await call(hook('/redirect-away', 'loadtester'), payload);
    const [landed] = other.requests;
    assert.equal(landed?.url, '/landed');
    assert.equal(landed.headers.authorization, undefined);
  });
});
