import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FakeApi, type RecordedRequest, type Reply } from '../../../test/harness/fake-api.ts';
import { NoValuesError } from '../types.ts';
import { StackdriverProvider, type StackdriverOptions } from './stackdriver.ts';

const NOW_MS = 1_700_000_000_500;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY = JSON.stringify({
  type: 'service_account',
  client_email: 'flagger@proj-1.iam.gserviceaccount.com',
  private_key: PEM,
  private_key_id: 'kid-1',
  token_uri: 'https://oauth2.googleapis.com/token',
});
const points = (...values: object[]) => ({
  timeSeriesData: [{ labelValues: [], pointData: values.map(v => ({ values: [v] })) }],
});

describe('StackdriverProvider', () => {
  let reply: (request: RecordedRequest) => Reply = () => ({});
  let api: FakeApi;
  before(async () => {
    api = await FakeApi.start(request => {
      if (request.url.pathname === '/token') return { body: { access_token: 'ya29.sa', expires_in: 3600 } };
      if (request.url.pathname.startsWith('/computeMetadata/')) return { body: { access_token: 'ya29.md' } };
      return reply(request);
    });
  });
  beforeEach(() => (api.requests.length = 0));
  after(() => api.stop());

  const provider = (options: Partial<StackdriverOptions> = { serviceAccountKey: KEY }) =>
    new StackdriverProvider({
      project: 'proj-1',
      apiAddress: api.url,
      metadataAddress: api.url,
      tokenUrl: `${api.url}/token`,
      now: () => NOW_MS,
      ...options,
    });
  const queries = () => api.requests.filter(r => r.url.pathname.endsWith('timeSeries:query'));

  it('signs a JWT bearer grant with the key and POSTs the MQL query with the token', async () => {
    reply = () => ({ body: points({ doubleValue: 99.5 }, { doubleValue: 1 }) });
    assert.equal(await provider().runQuery('fetch k8s_container | within 5m'), 99.5);
    const [grant, query] = api.requests;
    const form = new URLSearchParams(grant!.body);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header, claims, signature] = form.get('assertion')!.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), {
      alg: 'RS256',
      typ: 'JWT',
      kid: 'kid-1',
    });
    assert.deepEqual(JSON.parse(Buffer.from(claims!, 'base64url').toString()), {
      iss: 'flagger@proj-1.iam.gserviceaccount.com',
      scope: 'https://www.googleapis.com/auth/monitoring.read',
      aud: `${api.url}/token`,
      iat: 1_700_000_000,
      exp: 1_700_003_600,
    });
    const verifier = createVerify('RSA-SHA256').update(`${header!}.${claims!}`);
    assert.ok(verifier.verify(publicKey, signature!, 'base64url'));
    assert.equal(query!.method, 'POST');
    assert.equal(query!.url.pathname, '/v3/projects/proj-1/timeSeries:query');
    assert.equal(query!.headers.authorization, 'Bearer ya29.sa');
    assert.deepEqual(JSON.parse(query!.body), { query: 'fetch k8s_container | within 5m' });
  });

  it('uses the metadata server without a key (Application Default Credentials)', async () => {
    reply = () => ({ body: points({ doubleValue: 2 }) });
    assert.equal(await provider({}).runQuery('q'), 2);
    const token = api.requests[0]!;
    assert.equal(token.url.pathname, '/computeMetadata/v1/instance/service-accounts/default/token');
    assert.equal(token.headers['metadata-flavor'], 'Google');
    assert.equal(queries()[0]!.headers.authorization, 'Bearer ya29.md');
  });

  it('uses the GOOGLE_APPLICATION_CREDENTIALS key file when the Secret has no key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stackdriver-'));
    try {
      await writeFile(join(dir, 'key.json'), KEY);
      reply = () => ({ body: points({ doubleValue: 3 }) });
      assert.equal(await provider({ credentialsFile: join(dir, 'key.json') }).runQuery('q'), 3);
      assert.equal(api.requests[0]!.url.pathname, '/token');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('reads int64 and non-finite values, and reads on past empty pages', async () => {
    reply = () => ({ body: points({ int64Value: '42' }) });
    assert.equal(await provider().runQuery('q'), 42);
    reply = () => ({ body: points({ doubleValue: 'NaN' }) });
    assert.ok(Number.isNaN(await provider().runQuery('q')));
    reply = request =>
      (JSON.parse(request.body) as { pageToken?: string }).pageToken === 'p2'
        ? { body: points({ doubleValue: 7 }) }
        : { body: { timeSeriesData: [], nextPageToken: 'p2' } };
    assert.equal(await provider().runQuery('q'), 7);
  });

  it('gives up within its deadline on empty pages without end', async () => {
    reply = () => ({ body: { timeSeriesData: [], nextPageToken: 'again' } });
    await assert.rejects(
      provider({ timeoutMs: 300 }).runQuery('q'),
      /^Error: stackdriver request failed: timeout exceeded$/,
    );
    assert.ok(queries().length > 1, 'read on past empty pages until then');
  });

  it('is NoValuesError without a series, a point or a value', async () => {
    for (const body of [{}, { timeSeriesData: [] }, { timeSeriesData: [{ pointData: [] }] }, points()]) {
      reply = () => ({ body });
      await assert.rejects(provider().runQuery('q'), NoValuesError, JSON.stringify(body));
    }
  });

  it('fails naming the provider on an API error and a value it cannot read, never with the key', async () => {
    reply = () => ({ status: 403, body: '{"error":{"status":"PERMISSION_DENIED"}}' });
    await assert.rejects(provider().runQuery('q'), (err: Error) => {
      assert.equal(
        err.message,
        'stackdriver error response: HTTP 403: {"error":{"status":"PERMISSION_DENIED"}}',
      );
      return true;
    });
    reply = () => ({ body: points({ boolValue: true }) });
    await assert.rejects(provider().runQuery('q'), /^Error: stackdriver unsupported value type/);
  });

  it('fails on a key it cannot use without quoting it', async () => {
    const broken = JSON.stringify({ client_email: 'a@b', private_key: 'not a pem' });
    for (const serviceAccountKey of ['{not json', '{}', broken]) {
      await assert.rejects(provider({ serviceAccountKey }).runQuery('q'), (err: Error) => {
        assert.match(err.message, /^stackdriver serviceAccountKey /);
        assert.doesNotMatch(err.message, /not a pem|not json/);
        return true;
      });
    }
  });

  it('isOnline: the empty query must answer or be refused as INVALID_ARGUMENT', async () => {
    reply = () => ({ status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT' } } });
    assert.equal(await provider().isOnline(), true);
    assert.deepEqual(JSON.parse(queries().at(-1)!.body), { query: '' });
    reply = () => ({ body: {} });
    assert.equal(await provider().isOnline(), true);
    reply = () => ({ status: 403, body: { error: { code: 403, status: 'PERMISSION_DENIED' } } });
    assert.equal(await provider().isOnline(), false);
    reply = () => ({ status: 400, body: { error: { code: 400, status: 'FAILED_PRECONDITION' } } });
    assert.equal(await provider().isOnline(), false);
    assert.equal(await provider({ serviceAccountKey: '{}' }).isOnline(), false);
  });
});

describe('StackdriverProvider.fromTemplate', () => {
  it('needs the project id from the Secret', () => {
    assert.throws(
      () => StackdriverProvider.fromTemplate({}),
      /^Error: stackdriver credentials does not contain a project id$/,
    );
    assert.throws(() => StackdriverProvider.fromTemplate(undefined), /project id/);
    assert.ok(StackdriverProvider.fromTemplate({ project: 'p' }));
  });
});
