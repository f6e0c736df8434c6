// Secrets never leak: releases on the real control plane where every credential, webhook token (in URLs and in
// secretRefs) and alert address is a unique marker, with every backend failing (401, down, 500), then every log
// line, Event, Canary status and the /metrics text is searched for the markers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Canary, CanaryAnalysis } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import { PrometheusTelemetry } from '../../src/controller/telemetry.ts';
import type { CoreEvent } from '../../src/kube/types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

const markers = new Map<string, string>();
/** A unique secret value; URL-safe, so that it would appear verbatim in a URL that leaks. */
function secret(what: string): string {
  const value = `s3cret${what.replace(/[^a-z0-9]/gi, '')}${randomBytes(4).toString('hex')}`;
  markers.set(what, value);
  return value;
}
/** The Basic credentials as they go over the wire: a leaked header would show them encoded. */
function basic(what: string, user: string, password: string): void {
  markers.set(what, Buffer.from(`${user}:${password}`).toString('base64'));
}

/** 127.0.0.1:<port> of a server started on a free port. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

/** A URL carrying two secrets: in its user info and in its query string. */
function tokenUrl(what: string, base: string, path: string): string {
  const url = new URL(`${base}${path}`);
  url.username = 'hook';
  url.password = secret(`${what} password`);
  url.searchParams.set('token', secret(`${what} token`));
  return url.href;
}

describe('secrets never appear in logs, events, status or metrics', () => {
  const cluster = useCluster();
  // Answers 401 under /unauthorized and 500 under /broken, with fixed bodies that echo nothing; 200 elsewhere.
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '/');
    req.resume().on('end', () => {
      if (req.url?.startsWith('/unauthorized')) res.writeHead(401).end('Unauthorized');
      else if (req.url?.startsWith('/broken')) res.writeHead(500).end('internal error');
      else res.writeHead(200).end('ok');
    });
  });
  const called = (prefix: string) => paths.some(p => p.startsWith(prefix));
  const backend = { url: '' };
  // An address where nothing listens: a port that was just free.
  const down = { address: '' };
  before(async () => {
    backend.url = `http://${await listen(server)}`;
    const closed = createServer();
    down.address = await listen(closed);
    await new Promise(resolve => closed.close(resolve));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });
  const telemetry = new PrometheusTelemetry('istio');
  const flagger = useController(cluster, () => ({
    telemetry,
    eventWebhook: tokenUrl('event-webhook flag', `http://${down.address}`, '/events'),
    notifier: {
      'slack-url': `${backend.url}/broken/services/T0/B0/${secret('slack-url flag')}`,
      'slack-token': secret('slack-token flag'),
      'slack-proxy-url': '',
      'slack-user': 'flagger',
      'slack-channel': 'releases',
      'msteams-url': '',
      'msteams-proxy-url': '',
    },
  }));

  const create = (apiVersion: string, kind: string, ns: string, name: string, fields: object) =>
    cluster.client.create({ apiVersion, kind, metadata: { name, namespace: ns }, ...fields } as never);
  const secretObject = (ns: string, name: string, stringData: Record<string, string>) =>
    create('v1', 'Secret', ns, name, { stringData });
  const template = (ns: string, name: string, provider: object) =>
    create(API_VERSION, 'MetricTemplate', ns, name, { spec: { provider, query: 'sum(up)' } });

  async function failedRelease(
    ns: string,
    analysis: Partial<CanaryAnalysis>,
    spec: Partial<Canary['spec']> = {},
  ): Promise<void> {
    await flagger.serveTraffic(ns, 'podinfo', { rps: 10, successRate: 100, latencyMs: 40 });
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    const canary = podinfoCanary(ns, { stepWeight: 50, maxWeight: 50, threshold: 1, ...analysis });
    await cluster.client.create({ ...canary, spec: { ...canary.spec, ...spec } });
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Initialized',
      `${ns} not initialized`,
      90_000,
    );
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Failed',
      `${ns} not rolled back`,
      120_000,
    );
  }

  /** Metric providers refusing (401) or down, with credentials in Secrets and in their addresses. */
  async function metricsRelease(ns: string): Promise<void> {
    const user = secret('prometheus username');
    const password = secret('prometheus password');
    basic('prometheus basic auth', user, password);
    await secretObject(ns, 'prom-basic', { username: user, password });
    await secretObject(ns, 'prom-bearer', { token: secret('prometheus bearer token') });
    await secretObject(ns, 'datadog', {
      datadog_api_key: secret('datadog api key'),
      datadog_application_key: secret('datadog application key'),
    });
    const address = (path: string) => tokenUrl(`prometheus address ${path}`, `http://${down.address}`, path);
    await template(ns, 'prom-401', {
      type: 'prometheus',
      address: `${backend.url}/unauthorized/prom`,
      secretRef: { name: 'prom-basic' },
    });
    await template(ns, 'prom-bearer-401', {
      type: 'prometheus',
      address: `${backend.url}/unauthorized/bearer`,
      secretRef: { name: 'prom-bearer' },
    });
    await template(ns, 'prom-down', { type: 'prometheus', address: address('/prom') });
    await template(ns, 'datadog-401', {
      type: 'datadog',
      address: `${backend.url}/unauthorized/datadog`,
      secretRef: { name: 'datadog' },
    });
    await template(ns, 'datadog-down', {
      type: 'datadog',
      address: address('/datadog'),
      secretRef: { name: 'datadog' },
    });
    const metrics = ['prom-401', 'prom-bearer-401', 'prom-down', 'datadog-401', 'datadog-down'].map(name => ({
      name,
      templateRef: { name },
      thresholdRange: { max: 1 },
      interval: '1m',
    }));
    await failedRelease(ns, { metrics });
    assert.ok(called('/unauthorized/prom/api/v1/query'), 'the 401 backend was asked');
    assert.ok(called('/unauthorized/datadog/api/v1/'), 'the datadog backend was asked');
  }

  /** Webhooks that fail or are down, event hooks and alert providers that fail. */
  async function hooksRelease(ns: string): Promise<void> {
    await secretObject(ns, 'slack', {
      address: `${backend.url}/broken/services/T1/B1/${secret('alert secret address')}`,
      token: secret('alert secret token'),
    });
    await create(API_VERSION, 'AlertProvider', ns, 'slack', {
      spec: { type: 'slack', channel: 'releases', secretRef: { name: 'slack' } },
    });
    await secretObject(ns, 'hook-token', { token: secret('webhook secretRef token') });
    // Not a header value: refused before any call, with a message that must not quote it.
    await secretObject(ns, 'hook-token-spaced', { token: `x ${secret('webhook secretRef spaced token')}` });
    const teams = tokenUrl('alert address', `http://${down.address}`, '/webhook');
    await create(API_VERSION, 'AlertProvider', ns, 'teams', { spec: { type: 'msteams', address: teams } });
    await failedRelease(ns, {
      alerts: [
        { name: 'slack', severity: 'info', providerRef: { name: 'slack' } },
        { name: 'teams', severity: 'info', providerRef: { name: 'teams' } },
      ],
      webhooks: [
        { name: 'events-broken', type: 'event', url: tokenUrl('event hook', backend.url, '/broken/event') },
        {
          name: 'events-down',
          type: 'event',
          url: tokenUrl('down event hook', `http://${down.address}`, '/e'),
        },
        {
          name: 'events-token',
          type: 'event',
          url: `${backend.url}/broken/token-event`,
          secretRef: { name: 'hook-token-spaced' },
        },
        {
          name: 'smoke-token',
          type: 'rollout',
          url: `${backend.url}/unauthorized/hook`,
          secretRef: { name: 'hook-token' },
        },
        {
          name: 'smoke',
          type: 'rollout',
          url: tokenUrl('rollout hook', `http://${down.address}`, '/rollout'),
        },
      ],
    });
    assert.ok(called('/unauthorized/hook'), 'the hook with a secretRef was called');
    assert.ok(!called('/broken/token-event'), 'the hook with an unusable token was called');
    await eventually(() => called('/broken/services/T1/'), 'the alert was not attempted');
    await eventually(() => called('/broken/event'), 'the event hook was not called');
  }

  /**
   * A pre-rollout hook answering 500, a metricsServer that is down; the global event webhook (down) and the
   * global Slack (500) report it.
   */
  async function globalRelease(ns: string): Promise<void> {
    const gate = tokenUrl('pre-rollout hook', backend.url, '/broken/pre');
    await failedRelease(
      ns,
      { webhooks: [{ name: 'gate', type: 'pre-rollout', url: gate }] },
      { metricsServer: tokenUrl('metricsServer', `http://${down.address}`, '/prometheus') },
    );
    await eventually(() => called('/broken/services/T0/'), 'the global Slack was not called');
  }

  it('keeps every secret out of logs, events, the canary status and /metrics, on every failure path', async () => {
    const namespaces = await Promise.all(
      ['metrics', 'hooks', 'global'].map(p => cluster.namespace(`secrets-${p}`)),
    );
    const [metricsNs = '', hooksNs = '', globalNs = ''] = namespaces;
    await Promise.all([metricsRelease(metricsNs), hooksRelease(hooksNs), globalRelease(globalNs)]);
    const logText = () => flagger.logs.map(line => JSON.stringify(line)).join('\n');
    // The failures were reported (else the scan below would prove nothing).
    await eventually(
      () => /event webhook [\w-]+ failed/.test(logText()),
      'no event webhook failure logged',
      60_000,
    );
    await eventually(() => /alert can't be sent/.test(logText()), 'no alert failure logged', 60_000);
    await eventually(
      () => /event webhook events-token failed: secret [\w-]+\/hook-token-spaced/.test(logText()),
      'no failure of the unusable secretRef token logged',
      60_000,
    );

    const places: [string, string][] = [['controller logs', logText()]];
    for (const ns of namespaces) {
      const events = await cluster.client.list<CoreEvent>('v1', 'Event', { namespace: ns });
      places.push([`events of ${ns}`, JSON.stringify(events.items)]);
      places.push([`status of the canary in ${ns}`, JSON.stringify((await getCanary(cluster, ns)).status)]);
    }
    places.push(['/metrics', await telemetry.registry.metrics()]);
    const statuses = places
      .slice(1)
      .map(([, text]) => text)
      .join('\n');
    for (const reported of [
      /Metric query failed for prom-down/,
      /Prometheus query failed: running query failed: request failed: Get /,
      /pre-rollout check gate failed internal error/,
    ])
      assert.ok(reported.test(statuses), `not reported: ${String(reported)}`);

    const leaks: string[] = [];
    for (const [place, text] of places) {
      for (const [what, value] of markers) {
        const at = text.indexOf(value);
        if (at >= 0) leaks.push(`${what} in ${place}: …${text.slice(Math.max(0, at - 160), at + 40)}…`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
