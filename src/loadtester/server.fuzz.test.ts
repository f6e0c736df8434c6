// Fuzz tests of the load tester's inputs: request bodies (any bytes, any JSON, payloads with fields of the wrong
// type), the task metadata each task type reads, and command lines. Each bad input is answered 4xx with a message,
// never 500 and never a crash; the server answers the next request as before. No command runs here: bodies never
// carry the `cmd` or `server` keys that a task needs, and factories are only asked to build tasks. A failure
// prints the FC_SEED that replays it (test/harness/fast-check.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fc } from '../../test/harness/fast-check.ts';
import { silentLogger } from '../logging/logger.ts';
import { ArgumentSyntaxError, splitArgs } from './args.ts';
import { MemoryGateStore } from './gate-store.ts';
import { MetadataError } from './metadata.ts';
import { parsePayload, PayloadError } from './payload.ts';
import { LoadTesterServer } from './server.ts';
import { TASK_FACTORIES } from './tasks/registry.ts';
import type { TaskType } from './tasks/types.ts';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '../../etc/passwd', '😀', '\ud800', ...PROTOTYPE_NAMES),
  fc.constantFrom('true', 'false', 'TRUE', 'yes', '1', '-1', '0', '10', '1s', '-5s', 'x', 'dGVzdA==', '==='),
  fc.constantFrom('http://127.0.0.1:1/', 'https://x', 'ftp://x', 'http://[::1', '//x', 'http://a b'),
);
const anyJson = fc.oneof(hostile, fc.jsonValue({ maxDepth: 3 }));

const TASK_TYPES = Object.keys(TASK_FACTORIES) as TaskType[];
/** Every metadata key some task type reads. */
const METADATA_KEYS = [
  'type',
  'cmd',
  'returnCmdOutput',
  'logCmdOutput',
  'server',
  'org',
  'project',
  'repo',
  'entrypoint',
  'apiKeyPath',
  'endpoint',
  'arguments.x',
  'arguments.endpoint',
  'pollInterval',
  'pollTimeout',
  'clone',
  'username',
  'passwd',
];

const metadata = (keys: readonly string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...keys), hostile), hostile, { maxKeys: 12 });

describe('task metadata (fuzz)', () => {
  const context = { canary: 'podinfo.test', logger: silentLogger(), env: {} };

  it('builds a task or refuses the metadata with a MetadataError; a command never holds a NUL', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TASK_TYPES), metadata(METADATA_KEYS), (type, values) => {
        try {
          const task = TASK_FACTORIES[type].create(values, context);
          assert.ok(task.key !== '' && typeof task.description === 'string');
          // spawn() throws on a NUL, which would turn a bad command into a 500 after the fact.
          assert.ok(!(values.cmd ?? '').includes('\u0000'), 'a command with a NUL was accepted');
        } catch (err) {
          assert.ok(err instanceof MetadataError, `${type}: ${String(err)}`);
          assert.ok(err.message.length > 5);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('splits any command line or refuses it with an ArgumentSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.stringMatching(/^[a-z '"\\ -]{0,30}$/)), line => {
        try {
          const words = splitArgs(line);
          assert.ok(words.every(word => typeof word === 'string'));
        } catch (err) {
          assert.ok(err instanceof ArgumentSyntaxError, String(err));
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('payload decoding (fuzz)', () => {
  it('decodes any text or refuses it with a PayloadError', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.json(),
      anyJson.map(value => JSON.stringify(value)),
      fc
        .dictionary(fc.constantFrom('name', 'namespace', 'phase', 'checksum', 'metadata'), anyJson)
        .map(o => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(text, body => {
        try {
          const payload = parsePayload(body);
          assert.ok(Object.values(payload.metadata).every(value => typeof value === 'string'));
        } catch (err) {
          assert.ok(err instanceof PayloadError, String(err));
          assert.match(err.message, /^decoding the request body failed: ./);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('the HTTP API with hostile bodies (fuzz)', () => {
  let server: LoadTesterServer;
  let base: string;

  before(async () => {
    server = await LoadTesterServer.start({
      port: 0,
      host: '127.0.0.1',
      timeoutMs: 10_000,
      // Namespaces starting with "forbidden" are refused (403), the rest allowed.
      namespaceRegexp: '^(?!forbidden)',
      gates: new MemoryGateStore(),
      logger: silentLogger(),
      env: {},
      shutdownGraceMs: 100,
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.stop());

  const post = async (path: string, body: Uint8Array | string) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', body });
    return { status: response.status, text: await response.text() };
  };

  const PATHS = ['/', '/gate/check', '/gate/open', '/gate/close', '/rollback/check', '/rollback/open'];
  const SAFE_KEYS = METADATA_KEYS.filter(key => key !== 'cmd' && key !== 'server');
  const payload = fc.record(
    {
      name: anyJson,
      namespace: fc.oneof(hostile, fc.constantFrom('test', 'forbidden-ns'), anyJson),
      phase: anyJson,
      checksum: anyJson,
      metadata: fc.oneof(
        metadata(SAFE_KEYS).map(values => ({ ...values, type: values.type ?? 'cmd' })),
        fc.record({ type: fc.constantFrom(...TASK_TYPES, 'nope', '__proto__') }),
        anyJson,
      ),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 2_000 }),
    fc.json(),
    payload.map(value => JSON.stringify(value)),
  );

  it('answers every body with a status below 500, and a message with every 400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), body, async (path, sent) => {
        // A body can never hold what runs a command.
        if (/"(cmd|server)"/.test(Buffer.from(sent).toString())) return;
        const { status, text } = await post(path, sent);
        assert.ok([200, 202, 400, 403].includes(status), `${status} ${text}`);
        if (status === 400) assert.ok(text.trim() !== '', 'a 400 without a message');
      }),
      { numRuns: 400 },
    );
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });

  // Found by the metadata property: spawn() threw on the NUL, answering 500 (bash, helm) or 202 (cmd).
  it('refuses a command with a NUL with 400 before running anything', async () => {
    for (const type of ['bash', 'cmd', 'helm']) {
      const { status, text } = await post('/', JSON.stringify({ metadata: { type, cmd: 'true\u0000' } }));
      assert.equal(status, 400, type);
      assert.match(text, /cmd must not contain a NUL character/);
    }
  });

  it('refuses a body over 1 MiB with 413 and goes on serving', async () => {
    const { status } = await post('/', 'x'.repeat(1024 * 1024 + 1));
    assert.equal(status, 413);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });
});
