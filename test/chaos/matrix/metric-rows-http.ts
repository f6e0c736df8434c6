// Rows of the fault matrix for the metric providers that query one HTTP API, set up from their MetricTemplate
// address and Secret as a user writes them.
import assert from 'node:assert/strict';
import { intervalMs } from '../../../src/metrics/providers/http-query.ts';
import { INFLUXDB_TIMEOUT_MS } from '../../../src/metrics/providers/influxdb.ts';
import { PROMETHEUS_TIMEOUT_MS } from '../../../src/metrics/providers/prometheus.ts';
import {
  CREDS,
  HTTP_TIMEOUT,
  httpCell,
  jsonAnswer,
  params,
  pathOf,
  SECRETS,
  type MetricRow,
} from './rows.ts';

const WINDOW_S = (10 * intervalMs('1m')) / 1000;

const PROMQL = 'sum(rate(http_requests_total{app="podinfo",code=~"5.."}[1m]))';
const prometheus: MetricRow = {
  type: 'prometheus',
  timeoutMs: PROMETHEUS_TIMEOUT_MS,
  timeoutSource: 'PROMETHEUS_TIMEOUT_MS',
  setup: base => ({
    provider: { type: 'prometheus', address: base, secretRef: CREDS },
    query: PROMQL,
    secret: { token: SECRETS.token },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      {
        nan: jsonAnswer({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [1, 'NaN'] }] },
        }),
        empty: jsonAnswer({ status: 'success', data: { resultType: 'vector', result: [] } }),
      },
      request => {
        assert.equal(request.method, 'GET');
        assert.equal(request.path, `${pathOf(base)}/api/v1/query`);
        assert.deepEqual(params(request), { query: PROMQL });
        assert.equal(request.headers.authorization, `Bearer ${SECRETS.token}`);
      },
    ),
};

const DATADOG_QUERY = 'avg:trace.http.request.errors{service:podinfo}.as_count()';
const datadog: MetricRow = {
  type: 'datadog',
  ...HTTP_TIMEOUT,
  setup: base => ({
    provider: { type: 'datadog', address: base, secretRef: CREDS },
    query: DATADOG_QUERY,
    secret: { datadog_api_key: SECRETS.key, datadog_application_key: SECRETS.password },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      {
        nan: jsonAnswer({ status: 'ok', series: [{ pointlist: [[1_700_000_000_000, null]] }] }),
        empty: jsonAnswer({ status: 'ok', series: [] }),
      },
      request => {
        assert.equal(request.method, 'GET');
        assert.equal(request.path, `${pathOf(base)}/api/v1/query`);
        const { query, from, to, ...rest } = params(request);
        assert.deepEqual([query, Number(to) - Number(from), rest], [DATADOG_QUERY, WINDOW_S, {}]);
        assert.equal(request.headers['dd-api-key'], SECRETS.key);
        assert.equal(request.headers['dd-application-key'], SECRETS.password);
      },
    ),
};

const NRQL =
  "SELECT filter(count(*), WHERE error IS true) / count(*) FROM Transaction WHERE appName = 'podinfo'";
const newrelic: MetricRow = {
  type: 'newrelic',
  ...HTTP_TIMEOUT,
  setup: base => ({
    provider: { type: 'newrelic', address: base, secretRef: CREDS },
    query: NRQL,
    secret: { newrelic_account_id: '1234567', newrelic_query_key: SECRETS.key },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      { nan: jsonAnswer({ results: [{ result: null }] }), empty: jsonAnswer({ results: [] }) },
      request => {
        assert.equal(request.method, 'GET');
        assert.equal(request.path, `${pathOf(base)}/v1/accounts/1234567/query`);
        assert.deepEqual(params(request), { nrql: `${NRQL} SINCE 60 seconds ago` });
        assert.equal(request.headers['x-query-key'], SECRETS.key);
      },
    ),
};

const GRAPHITE_QUERY = 'target=sumSeries(podinfo.errors.count)&from=-1min';
const graphite: MetricRow = {
  type: 'graphite',
  ...HTTP_TIMEOUT,
  setup: base => ({
    provider: { type: 'graphite', address: base, secretRef: CREDS },
    query: GRAPHITE_QUERY,
    secret: { username: 'flagger', password: SECRETS.password },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      // Graphite's JSON writes a NaN datapoint as null.
      { nan: jsonAnswer([{ target: 'errors', datapoints: [[null, 1_700_000_000]] }]), empty: jsonAnswer([]) },
      request => {
        assert.equal(request.method, 'GET');
        assert.equal(request.path, `${pathOf(base)}/render`);
        assert.deepEqual(params(request), {
          format: 'json',
          from: '-1min',
          target: 'sumSeries(podinfo.errors.count)',
        });
        const basic = Buffer.from(`flagger:${SECRETS.password}`).toString('base64');
        assert.equal(request.headers.authorization, `Basic ${basic}`);
      },
    ),
};

const DYNATRACE_QUERY = 'builtin:service.errors.total.rate:filter(eq("dt.entity.service","SERVICE-1"))';
const dynatrace: MetricRow = {
  type: 'dynatrace',
  ...HTTP_TIMEOUT,
  setup: base => ({
    provider: { type: 'dynatrace', address: base, secretRef: CREDS },
    query: DYNATRACE_QUERY,
    secret: { dynatrace_token: SECRETS.token },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      { nan: jsonAnswer({ result: [{ data: [{ values: [null] }] }] }), empty: jsonAnswer({ result: [] }) },
      request => {
        assert.equal(request.method, 'GET');
        assert.equal(request.path, `${pathOf(base)}/api/v2/metrics/query`);
        const { metricSelector, resolution, from, to, ...rest } = params(request);
        assert.deepEqual(
          [metricSelector, resolution, Number(to) - Number(from), rest],
          [DYNATRACE_QUERY, 'Inf', WINDOW_S * 1000, {}],
        );
        assert.equal(request.headers.authorization, `Api-Token ${SECRETS.token}`);
      },
    ),
};

const FLUX =
  'from(bucket: "podinfo") |> range(start: -1m) |> filter(fn: (r) => r._measurement == "errors") |> sum()';
const fluxTable = (value: string) =>
  [
    '#datatype,string,long,double',
    '#group,false,false,false',
    '#default,_result,,',
    ',result,table,_value',
    `,,0,${value}`,
    '',
  ].join('\r\n');
const influxdb: MetricRow = {
  type: 'influxdb',
  timeoutMs: INFLUXDB_TIMEOUT_MS,
  timeoutSource: "INFLUXDB_TIMEOUT_MS, Flagger's 15s",
  setup: base => ({
    provider: { type: 'influxdb', address: base, secretRef: CREDS },
    query: FLUX,
    secret: { token: SECRETS.token, org: 'flagger' },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      {
        nan: { kind: 'answer', status: 200, headers: { 'content-type': 'text/csv' }, body: fluxTable('NaN') },
        empty: { kind: 'answer', status: 200, headers: { 'content-type': 'text/csv' }, body: '' },
      },
      request => {
        assert.equal(request.method, 'POST');
        assert.equal(request.path, `${pathOf(base)}/api/v2/query`);
        assert.deepEqual(params(request), { org: 'flagger' });
        assert.equal(request.headers.authorization, `Token ${SECRETS.token}`);
        assert.equal(request.headers['content-type'], 'application/json');
        const body = JSON.parse(request.body) as {
          query?: string;
          type?: string;
          dialect?: { header?: boolean };
        };
        assert.deepEqual([body.query, body.type, body.dialect?.header], [FLUX, 'flux', true]);
      },
    ),
};

export const HTTP_METRIC_ROWS: readonly MetricRow[] = [
  prometheus,
  datadog,
  newrelic,
  graphite,
  dynatrace,
  influxdb,
];
