// TLS verification is skipped only where a spec asks for it: the metric providers with insecureSkipVerify in
// Flagger (Prometheus, Graphite, External Metrics) trust a self-signed server only with it; every other provider
// and every notifier refuse one whatever the template says. Webhooks' disableTLS: webhooks.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MetricTemplateProvider } from '../../src/api/metric-template.ts';
import type { MetricsProvider } from '../../src/metrics/types.ts';
import {
  createMetricsProvider,
  type ClusterAccess,
  type ProviderOptions,
} from '../../src/metrics/providers/registry.ts';
import { createNotifier } from '../../src/notifiers/registry.ts';
import type { AlertProviderType } from '../../src/api/alert-provider.ts';
import { startSelfSignedServer, type SelfSignedServer } from '../harness/self-signed.ts';

const SELF_SIGNED = /self[- ]signed certificate/;

// One answer per API, each worth 1 (Prometheus' health check wants vector(1) = 1).
const ANSWERS: [path: string, body: unknown][] = [
  ['/api/v1/query', { status: 'success', data: { resultType: 'vector', result: [{ value: [0, '1'] }] } }],
  ['/render', [{ target: 'x', datapoints: [[1, 0]] }]],
  ['/apis/external.metrics.k8s.io/', { items: [{ value: '1' }] }],
];

// Every key any provider may ask its Secret for.
const CREDENTIALS = {
  datadog_api_key: 'k',
  datadog_application_key: 'k',
  newrelic_account_id: '1',
  newrelic_query_key: 'k',
  dynatrace_token: 't',
  token: 't',
  org: 'o',
  username: 'u',
  password: 'p',
};

describe('TLS verification is skipped only where asked', () => {
  const server = {} as { https: SelfSignedServer };
  before(async () => {
    server.https = await startSelfSignedServer((req, res) => {
      const body = ANSWERS.find(([path]) => req.url?.startsWith(path))?.[1] ?? {};
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  after(() => server.https.close());

  /** A provider built from a template, as for a check; External Metrics takes the template's address. */
  async function provider(spec: Omit<MetricTemplateProvider, 'address'>): Promise<MetricsProvider> {
    const cluster = { connection: () => Promise.resolve({ server: 'https://cluster.invalid' }) };
    const options: ProviderOptions = { interval: '1m', cluster: cluster as unknown as ClusterAccess };
    return createMetricsProvider({ ...spec, address: server.https.url }, CREDENTIALS, options);
  }

  const QUERIES = {
    prometheus: 'sum(up)',
    graphite: 'target=x',
    externalmetrics: 'default/requests',
  } as const;
  for (const [type, query] of Object.entries(QUERIES)) {
    it(`${type} refuses a self-signed server unless insecureSkipVerify is set`, async () => {
      const strict = await provider({ type: type as keyof typeof QUERIES, secretRef: { name: 's' } });
      await assert.rejects(strict.runQuery(query), SELF_SIGNED);
      assert.equal(await strict.isOnline(), false);
      const trusting = await provider({ type: type as keyof typeof QUERIES, insecureSkipVerify: true });
      assert.equal(await trusting.runQuery(query), 1);
      assert.equal(await trusting.isOnline(), true);
    });
  }

  for (const type of ['datadog', 'newrelic', 'dynatrace', 'influxdb'] as const) {
    it(`${type} has no such option: it refuses a self-signed server even when the template sets it`, async () => {
      const ignoring = await provider({ type, insecureSkipVerify: true, secretRef: { name: 's' } });
      await assert.rejects(ignoring.runQuery('q'), SELF_SIGNED);
    });
  }

  for (const type of ['slack', 'msteams', 'discord', 'rocket', 'gchat'] as AlertProviderType[]) {
    it(`the ${type} notifier refuses a self-signed server`, async () => {
      const notifier = createNotifier(type, {
        address: `${server.https.url}/hook`,
        username: 'flagger',
        channel: 'releases',
      });
      const alert = {
        workload: 'podinfo',
        namespace: 'test',
        message: 'm',
        fields: [],
        severity: 'info',
      } as const;
      await assert.rejects(notifier.post(alert), SELF_SIGNED);
    });
  }
});
