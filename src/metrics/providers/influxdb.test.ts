import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeApi, type Reply } from '../../../test/harness/fake-api.ts';
import { NoValuesError } from '../types.ts';
import { InfluxdbProvider } from './influxdb.ts';

const QUERY = 'from(bucket: "default")\n  |> range(start: -2h)\n  |> count()\n  |> yield(name: "count")';

/** An annotated CSV table with one data row per value, as InfluxDB writes it. */
function table(type: string, ...values: string[]): string {
  const rows = values.map((v, i) => `,_result,${i},2024-01-01T00:00:00Z,${v},istio_requests_total`);
  return [
    `#datatype,string,long,dateTime:RFC3339,${type},string`,
    '#group,false,false,false,false,true',
    '#default,_result,,,,',
    ',result,table,_time,_value,_measurement',
    ...rows,
    '',
  ].join('\r\n');
}

describe('InfluxdbProvider', () => {
  let reply: Reply = {};
  let api: FakeApi;
  before(async () => (api = await FakeApi.start(() => reply)));
  after(() => api.stop());

  const provider = (options: { token?: string; org?: string } = { token: 'tok-1', org: 'my-org' }) =>
    new InfluxdbProvider({ address: api.url, ...options });

  it('POSTs the Flux query to /api/v2/query?org= with the token and the annotated CSV dialect', async () => {
    reply = { body: table('double', '97.25') };
    assert.equal(await provider().runQuery(QUERY), 97.25);
    const request = api.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(`${request.url.pathname}${request.url.search}`, '/api/v2/query?org=my-org');
    assert.equal(request.headers.authorization, 'Token tok-1');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body), {
      dialect: { annotations: ['datatype', 'group', 'default'], delimiter: ',', header: true },
      query: QUERY,
      type: 'flux',
    });
  });

  it('sends no Authorization header without a token', async () => {
    reply = { body: table('double', '1') };
    await provider({}).runQuery(QUERY);
    assert.equal(api.requests.at(-1)!.headers.authorization, undefined);
    assert.equal(api.requests.at(-1)!.url.search, '?org=');
  });

  it('takes the first record when there are several, across tables', async () => {
    reply = { body: `${table('double', '1.5', '2.5')}\r\n${table('double', '9')}` };
    assert.equal(await provider().runQuery(QUERY), 1.5);
  });

  it('reads integer values (count() returns a long)', async () => {
    reply = { body: table('long', '42') };
    assert.equal(await provider().runQuery(QUERY), 42);
  });

  it('is NoValuesError for an empty answer (Flagger returns 0, quirk Q14) and for an empty value', async () => {
    for (const body of ['', '\r\n', table('double'), table('double', '')]) {
      reply = { body };
      await assert.rejects(provider().runQuery(QUERY), NoValuesError, JSON.stringify(body));
    }
  });

  it('rejects a value that is not a number', async () => {
    reply = { body: table('string', 'high') };
    await assert.rejects(
      provider().runQuery(QUERY),
      /influxdb invalid response: .*"_value":"high".*\(_value is string\)/,
    );
  });

  it('reports an error table sent with a 200', async () => {
    reply = {
      body: [
        '#datatype,string,string',
        '#group,true,true',
        '#default,,',
        ',error,reference',
        ',"failed to initialize execute state: could not find bucket ""x""",897',
        '',
      ].join('\r\n'),
    };
    await assert.rejects(
      provider().runQuery(QUERY),
      /^Error: influxdb query error: failed to initialize execute state: could not find bucket "x",897$/,
    );
  });

  it('fails with the provider name on an HTTP error, without the token', async () => {
    reply = { status: 401, body: '{"code":"unauthorized","message":"unauthorized access"}' };
    await assert.rejects(provider().runQuery(QUERY), (err: Error) => {
      assert.equal(
        err.message,
        'influxdb error response: HTTP 401: {"code":"unauthorized","message":"unauthorized access"}',
      );
      assert.doesNotMatch(err.message, /tok-1/);
      return true;
    });
  });

  it('isOnline queries the default bucket and is false on any error', async () => {
    reply = { body: '' };
    assert.equal(await provider().isOnline(), true);
    assert.equal(
      (JSON.parse(api.requests.at(-1)!.body) as { query: string }).query,
      'from(bucket: "default") |> range(start: -2h)',
    );
    reply = { status: 404, body: '{"code":"not found","message":"bucket \\"default\\" not found"}' };
    assert.equal(await provider().isOnline(), false);
  });
});

describe('InfluxdbProvider.fromTemplate', () => {
  it('needs an address, and a token and an org with a secretRef', () => {
    const withSecret = { type: 'influxdb' as const, address: 'http://influx:8086', secretRef: { name: 's' } };
    assert.ok(InfluxdbProvider.fromTemplate(withSecret, { token: 't', org: 'o' }));
    assert.ok(InfluxdbProvider.fromTemplate({ type: 'influxdb', address: 'http://influx:8086' }, undefined));
    assert.throws(
      () => InfluxdbProvider.fromTemplate({ type: 'influxdb' }, undefined),
      /influxdb address {2}is not/,
    );
    assert.throws(
      () => InfluxdbProvider.fromTemplate(withSecret, { org: 'o' }),
      /^Error: influxdb credentials does not contain an authentication token$/,
    );
    assert.throws(
      () => InfluxdbProvider.fromTemplate(withSecret, { token: 't' }),
      /^Error: influxdb credentials does not contain an organisation$/,
    );
  });
});
