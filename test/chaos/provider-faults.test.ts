// Metric providers, webhooks and notifiers that misbehave (refuse, hang, trickle, redirect in a loop, answer
// errors, garbage, NaN or an endless body) during real releases with the real controller. Each fault fails its
// check (never passes it), within the provider's timeout and without reading more than MAX_RESPONSE_BYTES, rolls
// the canary back after `threshold` checks and is reported once per distinct message (one event whose count
// grows); a notifier or event webhook that is down or hangs never holds a release up. Every case runs at once.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Canary, CanaryAnalysis } from '../../src/api/canary.ts';
import { webhookTimeoutMs } from '../../src/api/defaults.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import type { MetricTemplateProvider } from '../../src/api/metric-template.ts';
import type { CoreEvent, Deployment } from '../../src/kube/types.ts';
import { MAX_RESPONSE_BYTES } from '../../src/util/http.ts';
import { BadServer, type BadRequest } from '../harness/bad-server.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';
import { hookCases, json, metricCases, promSample, TIMED_OUT } from './provider-fault-cases.ts';

/** Flagger's timeout of the HTTP metric providers and notifiers. */
const PROVIDER_TIMEOUT_MS = 5_000;
/** Room for a loaded machine on top of a timeout: bounds are asserted, not timings. */
const SLACK_MS = 10_000;
/** What the socket buffers of loopback may hold beyond what the client read before it hung up. */
const SOCKET_BUFFERS = 32 * 1024 * 1024;
const PODINFO = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' };
const ANALYSIS = { interval: '1s', threshold: 2, stepWeight: 50, maxWeight: 50, metrics: [] };
const PROBE = { name: 'probe', templateRef: { name: 'probe' }, thresholdRange: { min: 0 }, interval: '1m' };

describe('provider faults during releases', { concurrency: true }, () => {
  const cluster = useCluster();
  const bad = {} as { server: BadServer; refused: string };
  before(async () => {
    bad.server = await BadServer.start();
    bad.refused = await BadServer.closedPort();
    bad.server.on('events', { kind: 'hang' });
  });
  after(() => bad.server.stop());
  // Every canary's events go to an event webhook that hangs (for its default 10s timeout).
  const flagger = useController(cluster, () => ({ eventWebhook: `${bad.server.url}/events/` }));

  /** The MetricTemplate of PROBE. */
  async function probeTemplate(ns: string, provider: MetricTemplateProvider, query: string): Promise<void> {
    await cluster.client.create({
      apiVersion: API_VERSION,
      kind: 'MetricTemplate',
      metadata: { name: 'probe', namespace: ns },
      spec: { provider, query },
    });
  }

  async function startRelease(ns: string, analysis: Partial<CanaryAnalysis>): Promise<void> {
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(podinfoCanary(ns, { ...ANALYSIS, ...analysis }));
    await waitForPhase(ns, 'Initialized');
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
  }

  async function waitForPhase(ns: string, phase: string, onPoll?: () => Promise<void>): Promise<Canary> {
    let canary: Canary | undefined;
    await eventually(
      async () => {
        await onPoll?.();
        canary = await getCanary(cluster, ns);
        return canary.status?.phase === phase;
      },
      `${ns} did not reach ${phase}`,
      150_000,
    );
    return canary as Canary;
  }

  async function warnings(ns: string): Promise<CoreEvent[]> {
    const events = await cluster.client.list<CoreEvent>('v1', 'Event', { namespace: ns });
    return events.items.filter(e => e.involvedObject.kind === 'Canary' && e.type === 'Warning');
  }

  /**
   * Each distinct message is one event whose count grows, logged once per occurrence and never with a stack;
   * returns how often they were reported in all.
   */
  async function reportedOnce(ns: string, messages: readonly string[]): Promise<number> {
    const warned = await warnings(ns);
    let total = 0;
    for (const message of new Set(messages)) {
      const same = warned.filter(e => e.message === message);
      assert.equal(same.length, 1, `one event for ${message.slice(0, 200)}`);
      const count = same[0]?.count ?? 1;
      const logged = flagger.logs.filter(l => l.msg === message && String(l.canary).endsWith(`.${ns}`));
      assert.equal(logged.length, count, 'logged once per occurrence');
      total += count;
    }
    assert.ok(!flagger.logs.some(l => JSON.stringify(l).includes('\\n    at ')), 'no stack in the log');
    return total;
  }

  /** Every request to the case ended within `timeoutMs` (plus slack) and got at most the read limit. */
  function bounded(t: TestContext, name: string, timeoutMs: number): BadRequest[] {
    const requests = bad.server.requestsTo(name);
    const longest = Math.max(0, ...requests.map(r => (r.end ?? Infinity) - r.start));
    const most = Math.max(0, ...requests.map(r => r.bytes));
    t.diagnostic(
      `${name}: ${requests.length} requests, longest ${Math.round(longest)} ms, most ${most} bytes`,
    );
    assert.ok(longest <= timeoutMs + SLACK_MS, `${name}: a request lasted ${longest} ms`);
    assert.ok(most <= MAX_RESPONSE_BYTES + SOCKET_BUFFERS, `${name}: ${most} bytes written`);
    return requests;
  }

  for (const kase of metricCases) {
    it(`fails ${kase.name} checks, bounded, and rolls back`, async t => {
      const ns = await cluster.namespace(kase.name);
      const address = kase.behaviour === 'refused' ? bad.refused : bad.server.on(kase.name, kase.behaviour);
      await probeTemplate(ns, { type: kase.type, address }, kase.type === 'graphite' ? 'target=probe' : 'up');
      await startRelease(ns, { metrics: [PROBE] });
      const canary = await waitForPhase(ns, 'Failed');
      const checks = canary.status?.metricChecks ?? [];
      assert.ok(checks.length >= 2, json(checks));
      const messages = checks.map(check => check.message ?? '');
      for (const [i, check] of checks.entries()) {
        assert.notEqual(check.verdict, 'Passed');
        assert.match(
          messages[i] ?? '',
          kase.orTimeout ? new RegExp(`${kase.message.source}|${TIMED_OUT}`) : kase.message,
        );
        assert.ok((messages[i] ?? '').length <= 4_096, 'a bounded message');
      }
      assert.ok(new Set(messages).size <= (kase.orTimeout ? 2 : 1), json(messages));
      assert.ok((await reportedOnce(ns, messages)) >= 2, 'reported at each failed check');
      bounded(t, kase.name, PROVIDER_TIMEOUT_MS);
    });
  }

  for (const kase of hookCases) {
    it(`fails the ${kase.name} webhook, bounded, and rolls back`, async t => {
      const ns = await cluster.namespace(kase.name);
      const url = `${bad.server.on(kase.name, kase.behaviour)}/hook`;
      await startRelease(ns, { webhooks: [{ name: 'hook', url, ...kase.hook }] });
      await waitForPhase(ns, 'Failed');
      const messages = (await warnings(ns))
        .map(e => e.message ?? '')
        .filter(m => / check hook failed /.test(m));
      assert.equal(messages.length, 1, json(messages.map(m => m.slice(0, 300))));
      assert.match(messages[0] ?? '', kase.message);
      const reported = await reportedOnce(ns, messages);
      assert.ok(reported >= 2, `reported ${reported} times`);
      const posts = bounded(t, kase.name, webhookTimeoutMs(kase.hook)).filter(r => r.method === 'POST');
      assert.equal(posts.length, reported * kase.attempts, 'attempts per failed check');
    });
  }

  it('holds a confirm-rollout gate that redirects to a closed port, reported once', async t => {
    const ns = await cluster.namespace('confirm');
    const location = `${bad.refused}/approve`;
    const url = `${bad.server.on('confirm', { kind: 'answer', status: 301, headers: { location } })}/hook`;
    await startRelease(ns, { webhooks: [{ name: 'gate', type: 'confirm-rollout', url, timeout: '1s' }] });
    await waitForPhase(ns, 'Waiting');
    await eventually(
      () => bad.server.requestsTo('confirm').length >= 3,
      'the gate was not asked again',
      60_000,
    );
    const canary = await getCanary(cluster, ns);
    assert.equal(canary.status?.phase, 'Waiting');
    assert.equal(canary.status.canaryWeight ?? 0, 0);
    assert.equal(await reportedOnce(ns, [`Halt podinfo.${ns} advancement waiting for approval gate`]), 1);
    bounded(t, 'confirm', 1_000);
  });

  it("releases a canary while another canary's metric check hangs on its provider", async () => {
    // A Splunk computation that starts and never ends: the check holds its canary's tick until the computation's
    // deadline (a minute), far longer than the other canary's whole release.
    const hungNs = await cluster.namespace('hung');
    const stream = bad.server.on('splunk-hung', request =>
      request.headers.upgrade === 'websocket'
        ? {
            kind: 'websocket',
            accept: peer =>
              peer.onMessage(data => {
                const message = JSON.parse(data.toString()) as { type?: string };
                if (message.type === 'authenticate') peer.sendText('{"type":"authenticated"}');
              }),
          }
        : { kind: 'answer', status: 200, body: '{"results":[]}' },
    );
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'splunk', namespace: hungNs },
      stringData: { sf_token_key: 'token' },
    });
    await probeTemplate(
      hungNs,
      { type: 'splunk', address: stream, secretRef: { name: 'splunk' } },
      "data('x').publish()",
    );
    await cluster.client.create(podinfoDeployment(hungNs, 'podinfo:6.0.0'));
    await cluster.client.create(podinfoCanary(hungNs, { ...ANALYSIS, metrics: [PROBE] }));
    const computation = () =>
      bad.server.requestsTo('splunk-hung').find(r => r.headers.upgrade === 'websocket');
    await eventually(() => computation() !== undefined, 'the hung check did not start', 60_000);

    const ns = await cluster.namespace('beside-hung');
    await probeTemplate(
      ns,
      {
        type: 'prometheus',
        address: bad.server.on('prom-one', { kind: 'answer', status: 200, body: promSample('1') }),
      },
      'up',
    );
    await startRelease(ns, { metrics: [PROBE] });
    const released = await waitForPhase(ns, 'Succeeded');
    assert.ok((released.status?.metricChecks ?? []).some(check => check.verdict === 'Passed'));
    assert.equal(computation()?.end, undefined, 'the hung check still runs: the release did not wait for it');
  });

  it('releases at full speed while the notifiers and the event webhook are down or hang', async t => {
    const ns = await cluster.namespace('notify');
    const providers = {
      slack: bad.server.on('slack-hang', { kind: 'hang' }),
      msteams: `${bad.refused}/teams`,
    };
    for (const [type, address] of Object.entries(providers)) {
      await cluster.client.create({
        apiVersion: API_VERSION,
        kind: 'AlertProvider',
        metadata: { name: type, namespace: ns },
        spec: { type, channel: 'releases', address },
      });
    }
    // A 307 repeats the POST at its target, as Go's client does: the pre-rollout gate passes there.
    bad.server.on('approve-ok', { kind: 'answer', status: 200 });
    const approve = bad.server.on('approve', {
      kind: 'answer',
      status: 307,
      headers: { location: '/approve-ok/' },
    });
    await startRelease(ns, {
      alerts: Object.keys(providers).map(name => ({ name, severity: 'info', providerRef: { name } })),
      webhooks: [{ name: 'approve', type: 'pre-rollout', url: `${approve}/hook`, timeout: '2s' }],
    });
    // The tick that raises "New revision detected" scales the canary up right after raising it.
    let scaledAt: number | undefined;
    await waitForPhase(ns, 'Succeeded', async () => {
      const target = await cluster.client.get<Deployment>({ ...PODINFO, namespace: ns });
      if ((target.spec?.replicas ?? 0) > 0) scaledAt ??= performance.now();
    });
    assert.deepEqual(
      bad.server.requestsTo('approve-ok').map(r => r.method),
      ['POST'],
    );
    const slack = () => bad.server.requestsTo('slack-hang');
    const detected = slack().find(r => r.body.includes('New revision detected'));
    assert.ok(detected !== undefined && scaledAt !== undefined);
    // Posted inline, the alert would hold the tick until Slack's timeout cut it off.
    assert.ok(
      scaledAt < (detected.end ?? Infinity),
      `scaled at ${scaledAt}, alert cut at ${String(detected.end)}`,
    );
    // Initialized, new revision, promoted: each alert is tried once, one after the other.
    await eventually(
      () => slack().length === 3 && slack().every(r => r.end !== undefined),
      'the three alerts were not all tried',
      60_000,
    );
    bounded(t, 'slack-hang', PROVIDER_TIMEOUT_MS);
    const failures = (provider: string) =>
      flagger.logs.filter(l => String(l.msg).startsWith(`alert provider ${provider}.${ns} error: `)).length;
    await eventually(() => failures('msteams') === slack().length, 'teams failures logged once each');
    assert.equal(failures('slack'), slack().length, 'slack failures logged once each');
    const events = bad.server.requestsTo('events').filter(r => r.body.includes(`"namespace":"${ns}"`));
    const eventFailures = flagger.logs.filter(l => l.canary === `${ns}/podinfo`).length;
    assert.ok(
      events.length > 0 && eventFailures <= events.length,
      `${eventFailures} logs, ${events.length} posts`,
    );
  });
});
