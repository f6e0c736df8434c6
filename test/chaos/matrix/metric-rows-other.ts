// Rows of the fault matrix for the metric providers that are not one plain HTTP API: Stackdriver (a token, then the
// Monitoring API), Keptn (Kubernetes objects through the controller's API client), Splunk (a SignalFlow WebSocket),
// external metrics (an aggregated Kubernetes API) and CloudWatch (the AWS SDK).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../../src/kube/config.ts';
import { CLOUDWATCH_TIMEOUT_MS } from '../../../src/metrics/providers/cloudwatch.ts';
import { KEPTN_TIMEOUT_MS } from '../../../src/metrics/providers/keptn.ts';
import { StackdriverProvider } from '../../../src/metrics/providers/stackdriver.ts';
import { HTTP_TIMEOUT_MS } from '../../../src/util/http.ts';
import type { Behaviour, Behaves } from '../../harness/bad-server.ts';
import type { WsPeer } from '../../harness/fake-api.ts';
import { dataMessage } from '../../harness/fake-signalflow.ts';
import { expectedSigV4Signature, parseSigV4 } from '../../harness/sigv4.ts';
import { GARBAGE, HUGE_BYTES, httpFault, type Fault } from './faults.ts';
import {
  CREDS,
  expectAll,
  HTTP_TIMEOUT,
  httpCell,
  jsonAnswer,
  NAMESPACE,
  params,
  pathOf,
  SECRETS,
  type MetricRow,
} from './rows.ts';

/** A kubeconfig with a bearer token, as the controller reads one; `master` points it at a case (Flagger's -master). */
function kubeClient(master: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fault-matrix-'));
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // A plain-HTTP server needs insecure-skip-tls-verify in the official client's kubeconfig.
      clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: SECRETS.token } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  return connect({ kubeconfig: file, master });
}

/** The Monitoring API's MQL query; the token comes from the metadata server (GKE's Workload Identity). */
const MQL = "fetch k8s_container | metric 'istio.io/service/server/request_count' | within 1m";
export const METADATA_TOKEN = 'ya29.metadata-token-7b6a';
export const METADATA_CASE = 'computeMetadata';
const stackdriver = (metadataAddress: string): MetricRow => ({
  type: 'stackdriver',
  ...HTTP_TIMEOUT,
  setup: base => ({
    provider: { type: 'stackdriver', secretRef: CREDS },
    query: MQL,
    secret: { project: 'flagger-test' },
    // Flagger's Stackdriver has no address: the Monitoring API is fixed. The same provider is built with it here.
    context: {
      createProvider: (_provider, credentials) =>
        new StackdriverProvider({ project: credentials?.project ?? '', apiAddress: base, metadataAddress }),
    },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      {
        nan: jsonAnswer({ timeSeriesData: [{ pointData: [{ values: [{ doubleValue: 'NaN' }] }] }] }),
        empty: jsonAnswer({}),
      },
      request => {
        assert.equal(request.method, 'POST');
        assert.equal(request.path, `${pathOf(base)}/v3/projects/flagger-test/timeSeries:query`);
        assert.equal(request.query.size, 0);
        assert.equal(request.headers.authorization, `Bearer ${METADATA_TOKEN}`);
        assert.equal(request.headers['content-type'], 'application/json');
        assert.deepEqual(JSON.parse(request.body), { query: MQL });
      },
    ),
});

/** The metadata server's answer for the default service account's token. */
export const metadataServer: Behaves = request =>
  request.path === '/computeMetadata/v1/instance/service-accounts/default/token' &&
  request.headers['metadata-flavor'] === 'Google'
    ? jsonAnswer({ access_token: METADATA_TOKEN, expires_in: 3599, token_type: 'Bearer' })
    : { kind: 'answer', status: 403, body: 'missing Metadata-Flavor' };

const KEPTN_GROUP = '/apis/metrics.keptn.sh/v1beta1';
const keptnMetric = (status?: object) => ({
  apiVersion: 'metrics.keptn.sh/v1beta1',
  kind: 'KeptnMetric',
  metadata: { name: 'error-rate', namespace: NAMESPACE },
  spec: { provider: { name: 'prometheus' }, query: 'up', fetchIntervalSeconds: 10 },
  ...(status !== undefined && { status }),
});
const keptn: MetricRow = {
  type: 'keptn',
  timeoutMs: KEPTN_TIMEOUT_MS,
  timeoutSource: 'KEPTN_TIMEOUT_MS, API calls included',
  // The API client cannot cancel a call: it ends at the client's request timeout.
  lingerMs: 30_000,
  setup: base => ({
    provider: { type: 'keptn' },
    query: `keptnmetric/${NAMESPACE}/error-rate`,
    context: { cluster: kubeClient(base) },
  }),
  cell: (fault, base) => {
    const fails: Behaviour =
      fault === 'nan'
        ? jsonAnswer(keptnMetric({ value: 'NaN', rawValue: 'TmFO' }))
        : fault === 'empty'
          ? jsonAnswer(keptnMetric())
          : httpFault(fault, 'metrics');
    const discovery = jsonAnswer({
      kind: 'APIResourceList',
      groupVersion: 'metrics.keptn.sh/v1beta1',
      resources: [{ name: 'keptnmetrics', kind: 'KeptnMetric', namespaced: true, verbs: ['get'] }],
    });
    return {
      behaves: request => (request.path === `${pathOf(base)}${KEPTN_GROUP}` ? discovery : fails),
      expect: requests =>
        expectAll(requests, request => {
          assert.equal(request.method, 'GET');
          assert.equal(request.headers.authorization, `Bearer ${SECRETS.token}`);
          assert.ok(
            [KEPTN_GROUP, `${KEPTN_GROUP}/namespaces/${NAMESPACE}/keptnmetrics/error-rate`]
              .map(path => `${pathOf(base)}${path}`)
              .includes(request.path),
            request.path,
          );
        }),
    };
  },
};

const PROGRAM = "data('requests.errors', filter=filter('app', 'podinfo')).sum().publish()";
/** What the SignalFlow peer of one cell answers once the computation is asked for. */
function signalflowScript(fault: Fault, peer: WsPeer, channel: string): void {
  const control = (event: string) =>
    peer.sendText(JSON.stringify({ type: 'control-message', channel, event }));
  switch (fault) {
    case 'malformed':
      return void peer.sendBinary(GARBAGE);
    case 'huge':
      return void peer.sendBinary(Buffer.alloc(HUGE_BYTES, 1));
    case 'nan':
      peer.sendBinary(dataMessage(channel, [{ type: 2, tsid: 7n, value: NaN }]));
      return void control('END_OF_CHANNEL');
    case 'empty':
      return void control('END_OF_CHANNEL');
    default: {
      // endless: data as fast as the client reads it, never the end of the channel.
      const points = Array.from({ length: 1000 }, () => ({ type: 2, tsid: 7n, value: 0.5 }));
      const message = dataMessage(channel, points);
      const send = () => {
        while (!peer.socket.destroyed && peer.sendBinary(message));
      };
      peer.socket.on('drain', send);
      send();
    }
  }
}
const splunk: MetricRow = {
  type: 'splunk',
  timeoutMs: HTTP_TIMEOUT_MS,
  timeoutSource: 'HTTP_TIMEOUT_MS to start the computation; SIGNALFLOW_TIMEOUT_MS (60s) and 10 MiB in all',
  setup: base => ({
    provider: { type: 'splunk', address: base, secretRef: CREDS },
    query: PROGRAM,
    secret: { sf_token_key: SECRETS.token },
  }),
  cell: (fault, base) => {
    const received: { type?: string; token?: string; program?: string; start?: number; stop?: number }[] = [];
    const websocket: Behaviour = {
      kind: 'websocket',
      accept: peer =>
        peer.onMessage(data => {
          const message = JSON.parse(data.toString()) as (typeof received)[number] & { channel: string };
          received.push(message);
          if (message.type === 'authenticate')
            peer.sendText('{"type":"authenticated","orgId":"o","userId":"u"}');
          if (message.type === 'execute') signalflowScript(fault, peer, message.channel);
        }),
    };
    const refused = fault === 'hang' || fault === '5xx' || fault === '429';
    return {
      behaves: refused ? httpFault(fault, 'metrics') : websocket,
      expect: requests => {
        expectAll(requests, request => {
          assert.equal(request.method, 'GET');
          assert.equal(request.path, `${pathOf(base)}/v2/signalflow/connect`);
          assert.equal(request.headers.upgrade, 'websocket');
        });
        if (refused) return;
        const [authenticate, execute] = received;
        assert.deepEqual(authenticate, { type: 'authenticate', token: SECRETS.token });
        assert.equal(execute?.type, 'execute');
        assert.equal(execute.program, PROGRAM);
        assert.equal((execute.stop ?? 0) - (execute.start ?? 0), 600_000);
      },
    };
  },
};

const externalmetrics = (apiServer: string): MetricRow => ({
  type: 'externalmetrics',
  ...HTTP_TIMEOUT,
  setup: base => ({
    provider: { type: 'externalmetrics', address: base, secretRef: CREDS },
    query: `${NAMESPACE}/queue-depth?labelSelector=app%3Dpodinfo`,
    secret: { token: SECRETS.key },
    context: { cluster: kubeClient(apiServer) },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      {
        nan: jsonAnswer({ kind: 'ExternalMetricValueList', items: [{ value: 'NaN' }] }),
        empty: jsonAnswer({ items: [] }),
      },
      request => {
        assert.equal(request.method, 'GET');
        assert.equal(
          request.path,
          `${pathOf(base)}/apis/external.metrics.k8s.io/v1beta1/namespaces/${NAMESPACE}/queue-depth`,
        );
        assert.deepEqual(params(request), { labelSelector: 'app=podinfo' });
        assert.equal(request.headers.authorization, `Bearer ${SECRETS.key}`);
      },
    ),
});

const CLOUDWATCH_QUERY = JSON.stringify([
  {
    Id: 'errors',
    MetricStat: {
      Metric: { Namespace: 'podinfo', MetricName: 'Errors', Dimensions: [{ Name: 'app', Value: 'podinfo' }] },
      Period: 60,
      Stat: 'Sum',
    },
  },
]);
const AWS_KEY_ID = 'AKIAFLAGGERMATRIX001';
const cloudwatch: MetricRow = {
  type: 'cloudwatch',
  timeoutMs: CLOUDWATCH_TIMEOUT_MS,
  timeoutSource: 'CLOUDWATCH_TIMEOUT_MS, every attempt included',
  setup: base => ({
    provider: { type: 'cloudwatch', region: 'eu-west-1' },
    query: CLOUDWATCH_QUERY,
    // The SDK's own settings, as a user sets them on the controller's Deployment.
    environment: {
      AWS_ENDPOINT_URL_CLOUDWATCH: base,
      AWS_ACCESS_KEY_ID: AWS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRETS.password,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  }),
  cell: (fault, base) =>
    httpCell(
      fault,
      {
        nan: jsonAnswer({ MetricDataResults: [{ Id: 'errors', Values: ['NaN'] }] }),
        empty: jsonAnswer({ MetricDataResults: [] }),
      },
      request => {
        assert.equal(request.method, 'POST');
        assert.equal(request.path, `${pathOf(base)}/`);
        assert.equal(request.headers['x-amz-target'], 'GraniteServiceVersion20100801.GetMetricData');
        const auth = parseSigV4(request.headers.authorization);
        assert.deepEqual(
          [auth.accessKeyId, auth.region, auth.service],
          [AWS_KEY_ID, 'eu-west-1', 'monitoring'],
        );
        assert.equal(auth.signature, expectedSigV4Signature(request, SECRETS.password));
        const body = JSON.parse(request.body) as { MaxDatapoints?: number; MetricDataQueries?: unknown };
        assert.deepEqual([body.MaxDatapoints, body.MetricDataQueries], [20, JSON.parse(CLOUDWATCH_QUERY)]);
      },
    ),
};

/** The rows; `server` is the bad server's URL, whose metadata case serves Stackdriver's token. */
export function otherMetricRows(server: string): readonly MetricRow[] {
  return [stackdriver(server), keptn, splunk, externalmetrics(`${server}/apiserver`), cloudwatch];
}
