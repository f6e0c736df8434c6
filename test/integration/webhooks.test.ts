import assert from 'node:assert/strict';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Canary, CanaryWebhook } from '../../src/api/canary.ts';
import { callWebhook } from '../../src/webhooks/call.ts';
import { postEvent } from '../../src/webhooks/event-webhook.ts';
import { canaryChecksum, webhookPayload } from '../../src/webhooks/payload.ts';
import { runGate } from '../../src/webhooks/run.ts';
import type { HookResult } from '../../src/webhooks/types.ts';
import { selfSignedCertificate } from '../harness/self-signed.ts';

interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

/** A hook receiver on 127.0.0.1 that records every request and answers with `handler`. */
interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

async function listen(server: Server, scheme: 'http' | 'https', handler: Handler): Promise<Receiver> {
  const received: Received[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      });
      handler(req, res, received.length);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const receivers: Receiver[] = [];

async function receiver(handler: Handler): Promise<Receiver> {
  const r = await listen(createHttpServer(), 'http', handler);
  receivers.push(r);
  return r;
}

const answer =
  (status: number, body = '', headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    res.writeHead(status, headers).end(body);

/** Answers with `first` on the first `times` hits, then 200. */
const failing =
  (times: number, first: Handler): Handler =>
  (req, res, hit) =>
    hit <= times ? first(req, res, hit) : res.writeHead(200).end();

const canary: Canary = {
  metadata: { name: 'podinfo', namespace: 'test' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { port: 9898 },
    analysis: { interval: '1m', stepWeight: 10 },
  },
  status: { phase: 'Progressing', lastAppliedSpec: 'spec-hash', trackedConfigs: { 'configmap/cfg': 'abc' } },
};

const hookTo = (url: string, extra: Partial<CanaryWebhook> = {}): CanaryWebhook => ({
  name: 'test',
  url,
  ...extra,
});

async function call(hook: CanaryWebhook) {
  return callWebhook(hook, webhookPayload(canary, 'Progressing', hook.metadata));
}

/** The message of a failed call (and an assertion that it failed). */
function messageOf(result: HookResult): string {
  assert.equal(result.ok, false);
  return result.message;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>(resolve => server.close(() => resolve()));
  return port;
}

after(async () => {
  await Promise.all(receivers.map(r => r.close()));
});

describe('webhook calls over HTTP', () => {
  it('POSTs the JSON payload with its metadata', async () => {
    const r = await receiver(answer(200));
    const result = await call(hookTo(r.url, { metadata: { cmd: 'hey -z 1m', type: 'bash' } }));
    assert.deepEqual(result, { ok: true });
    assert.deepEqual(r.received, [
      {
        method: 'POST',
        path: '/hook',
        contentType: 'application/json',
        authorization: undefined,
        body: {
          name: 'podinfo',
          namespace: 'test',
          phase: 'Progressing',
          checksum: canaryChecksum(canary.status),
          metadata: { cmd: 'hey -z 1m', type: 'bash' },
        },
      },
    ]);
  });

  it('accepts 200, 201 and 202 only', async () => {
    for (const status of [200, 201, 202]) {
      const r = await receiver(answer(status, 'fine'));
      assert.deepEqual(await call(hookTo(r.url)), { ok: true }, `status ${status}`);
    }
    for (const status of [203, 204, 302, 400, 403, 404]) {
      const r = await receiver(answer(status, status === 204 ? '' : `no ${status}`));
      const result = await call(hookTo(r.url));
      assert.equal(result.ok, false, `status ${status}`);
    }
  });

  it('reports the trimmed response body, or the status line when the body is empty', async () => {
    const withBody = await receiver(answer(403, '  approval denied\n'));
    assert.deepEqual(await call(hookTo(withBody.url)), { ok: false, message: 'approval denied' });
    const empty = await receiver(answer(404));
    assert.deepEqual(await call(hookTo(empty.url)), { ok: false, message: '404 Not Found' });
    const noContent = await receiver(answer(204));
    assert.deepEqual(await call(hookTo(noContent.url)), { ok: false, message: '204 No Content' });
  });

  it('does not retry 4xx or 501', async () => {
    const badRequest = await receiver(answer(400, 'bad'));
    assert.deepEqual(await call(hookTo(badRequest.url, { retries: 3 })), { ok: false, message: 'bad' });
    assert.equal(badRequest.received.length, 1);
    const notImplemented = await receiver(answer(501, 'nope'));
    assert.deepEqual(await call(hookTo(notImplemented.url, { retries: 3 })), { ok: false, message: 'nope' });
    assert.equal(notImplemented.received.length, 1);
  });

  it('retries 5xx until it passes', async () => {
    const r = await receiver(failing(1, answer(500, 'boom')));
    assert.deepEqual(await call(hookTo(r.url, { retries: 2 })), { ok: true });
    assert.equal(r.received.length, 2);
  });

  it('retries 503 and 429 after Retry-After', async () => {
    const r = await receiver(
      failing(2, (req, res, hit) =>
        answer(hit === 1 ? 503 : 429, 'busy', { 'retry-after': '0' })(req, res, hit),
      ),
    );
    assert.deepEqual(await call(hookTo(r.url, { retries: 2 })), { ok: true });
    assert.equal(r.received.length, 3);
  });

  it('gives up after the retries with the last body', async () => {
    const r = await receiver(answer(503, 'still down', { 'retry-after': '0' }));
    assert.deepEqual(await call(hookTo(r.url, { retries: 2 })), { ok: false, message: 'still down' });
    assert.equal(r.received.length, 3);
  });

  it('does not retry without retries', async () => {
    const r = await receiver(answer(500, 'boom'));
    assert.deepEqual(await call(hookTo(r.url)), { ok: false, message: 'boom' });
    assert.equal(r.received.length, 1);
  });

  it('retries transport errors', async () => {
    const r = await receiver(failing(1, req => req.socket.destroy()));
    assert.deepEqual(await call(hookTo(r.url, { retries: 1 })), { ok: true });
    assert.equal(r.received.length, 2);
  });

  it('explains a refused connection', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/hook`;
    assert.match(
      messageOf(await call(hookTo(url))),
      /^POST http:\/\/127\.0\.0\.1:\d+\/hook giving up after 1 attempt\(s\): .*ECONNREFUSED/,
    );
  });

  it('honours the timeout and retries a timed-out attempt', async () => {
    const silent = await receiver(() => undefined);
    const message = messageOf(await call(hookTo(silent.url, { timeout: '200ms', retries: 1 })));
    assert.match(message, /giving up after 2 attempt\(s\): timed out after 200ms$/);
    assert.equal(silent.received.length, 2);
  });

  it('rejects URLs it cannot call without sending anything', async () => {
    assert.deepEqual(await call(hookTo('not a url')), {
      ok: false,
      message: 'invalid webhook URL "not a url"',
    });
    assert.deepEqual(await call(hookTo('ftp://127.0.0.1/x', { retries: 3 })), {
      ok: false,
      message: 'unsupported protocol scheme "ftp"',
    });
  });

  it('sends user info in the URL as Basic authorization, as Go does', async () => {
    const r = await receiver(answer(200));
    const url = r.url.replace('http://', 'http://flagger:s%3Acret@');
    assert.deepEqual(await call(hookTo(url)), { ok: true });
    const [request] = r.received;
    assert.equal(request?.authorization, `Basic ${Buffer.from('flagger:s:cret').toString('base64')}`);
    assert.equal(request.path, '/hook');
  });

  it('hides the user info and query values in the URL of a transport error', async () => {
    const port = await closedPort();
    const message = messageOf(await call(hookTo(`http://user:secret@127.0.0.1:${port}/?token=secret`)));
    assert.match(message, /^POST http:\/\/127\.0\.0\.1:\d+\/\?token=xxxxx giving up/);
    assert.doesNotMatch(message, /user|secret/);
  });

  it('runs a gate against real hooks in order and stops at the first failure', async () => {
    const order: string[] = [];
    const pass = await receiver((_req, res) => {
      order.push('pass');
      res.writeHead(200).end();
    });
    const deny = await receiver((_req, res) => {
      order.push('deny');
      res.writeHead(403).end('not yet');
    });
    const never = await receiver(answer(200));
    const hooks = [
      hookTo(pass.url, { name: 'a' }),
      hookTo(deny.url, { name: 'b' }),
      hookTo(never.url, { name: 'c' }),
    ];
    const failure = await runGate(hooks, h => webhookPayload(canary, 'Progressing', h.metadata));
    assert.equal(failure?.hook.name, 'b');
    assert.deepEqual(failure.result, { ok: false, message: 'not yet' });
    assert.deepEqual(order, ['pass', 'deny']);
    assert.equal(never.received.length, 0);
  });
});

describe('webhook calls over HTTPS with a self-signed certificate', () => {
  let https: Receiver;

  before(async () => {
    https = await listen(createHttpsServer(selfSignedCertificate()), 'https', answer(200));
  });

  after(() => https.close());

  it('calls the hook when disableTLS is set', async () => {
    assert.deepEqual(await call(hookTo(https.url, { disableTLS: true })), { ok: true });
    assert.equal(https.received.length, 1);
  });

  it('fails on the untrusted certificate otherwise, without retrying', async () => {
    assert.match(
      messageOf(await call(hookTo(https.url, { retries: 3 }))),
      /giving up after 1 attempt\(s\): self[- ]signed certificate/,
    );
    assert.equal(https.received.length, 1);
  });
});

describe('event webhook', () => {
  it("POSTs the event with the canary's checksum, the event metadata and the hook's own metadata", async () => {
    const r = await receiver(answer(202));
    const before = Date.now();
    const hook = hookTo(r.url, { type: 'event', metadata: { cluster: 'dev', eventType: 'ignored' } });
    const result = await postEvent(hook, canary, 'Progressing', {
      type: 'Warning',
      message: 'Halt advancement podinfo.test',
    });
    const afterCall = Date.now();
    assert.deepEqual(result, { ok: true });
    assert.equal(r.received.length, 1);
    const body = r.received[0]?.body as { metadata: Record<string, string> };
    assert.deepEqual(body, {
      name: 'podinfo',
      namespace: 'test',
      phase: 'Progressing',
      checksum: canaryChecksum(canary.status),
      metadata: {
        cluster: 'dev',
        eventMessage: 'Halt advancement podinfo.test',
        eventType: 'Warning',
        timestamp: body.metadata.timestamp,
      },
    });
    assert.match(body.metadata.timestamp ?? '', /^\d+$/);
    const timestamp = Number(body.metadata.timestamp);
    assert.ok(timestamp >= before && timestamp <= afterCall);
  });

  it('reports a failing event hook to the caller', async () => {
    const r = await receiver(answer(500, 'receiver down'));
    assert.deepEqual(
      await postEvent(hookTo(r.url), canary, 'Failed', { type: 'Normal', message: 'Canary failed' }),
      {
        ok: false,
        message: 'receiver down',
      },
    );
  });
});
