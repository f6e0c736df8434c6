// Alerts during real releases: a canary's analysis.alerts through its AlertProvider, the global notifier for a
// canary without alerts, the failure paths Flagger leaves silent (pre-rollout failure, progress deadline), and a
// promotion whose primary never becomes ready.
import assert from 'node:assert/strict';
import { before, after, describe, it } from 'node:test';
import type { CanaryWebhook } from '../../src/api/canary.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import type { VirtualService } from '../../src/routers/istio-types.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { HookServer } from '../harness/hook-server.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

interface SlackBody {
  channel: string;
  attachments: {
    color: string;
    author_name: string;
    text: string;
    fields: { title: string; value: string }[];
  }[];
}
interface TeamsBody {
  sections: { activityTitle: string; activitySubtitle: string; facts: { name: string; value: string }[] }[];
}

const healthy = { rps: 10, successRate: 100, latencyMs: 50 };

describe('alerts during releases on a real control plane', () => {
  const cluster = useCluster();
  const receiver = {} as { server: HookServer };
  before(async () => {
    receiver.server = await HookServer.start();
  });
  after(() => receiver.server.stop());
  const flagger = useController(cluster, () => ({
    clusterName: 'lab',
    notifier: {
      'slack-url': '',
      'slack-token': '',
      'slack-proxy-url': '',
      'slack-user': 'flagger',
      'slack-channel': '',
      'msteams-url': `${receiver.server.url}/global`,
      'msteams-proxy-url': '',
    },
  }));
  const phase = async (ns: string) => (await getCanary(cluster, ns)).status?.phase;
  const slack = (path: string) =>
    receiver.server.callsTo(path).map(c => (c.body as unknown as SlackBody).attachments[0]);
  const teams = (path: string) =>
    receiver.server.callsTo(path).map(c => (c.body as unknown as TeamsBody).sections[0]);

  async function release(ns: string, analysis: Parameters<typeof podinfoCanary>[1]): Promise<void> {
    await flagger.serveTraffic(ns, 'podinfo', healthy);
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(podinfoCanary(ns, analysis));
    await eventually(async () => (await phase(ns)) === 'Initialized', 'not initialized', 60_000);
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
  }

  /** A release in steps of 50 whose alerts of `severity` and up go to a Slack AlertProvider at /slack/<ns>. */
  async function releaseWithSlackAlerts(
    ns: string,
    severity: 'info' | 'error',
    webhooks: CanaryWebhook[] = [],
  ): Promise<void> {
    await cluster.client.create({
      apiVersion: API_VERSION,
      kind: 'AlertProvider',
      metadata: { name: 'on-call', namespace: ns },
      spec: { type: 'slack', channel: 'releases', address: `${receiver.server.url}/slack/${ns}` },
    });
    await release(ns, {
      stepWeight: 50,
      maxWeight: 50,
      alerts: [{ name: 'on-call', severity, providerRef: { name: 'on-call' } }],
      webhooks,
    });
  }

  it("sends a canary's alerts to its AlertProvider, with the alert fields", async () => {
    const ns = await cluster.namespace('alerts');
    await releaseWithSlackAlerts(ns, 'info');
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'not promoted', 90_000);
    await eventually(() => slack(`/slack/${ns}`).length >= 3, 'alerts not received');
    const alerts = slack(`/slack/${ns}`);
    assert.deepEqual(
      alerts.map(a => a?.text),
      [
        'New Deployment detected, initialization completed.',
        'New revision detected, progressing canary analysis.',
        'Canary analysis completed successfully, promotion finished.',
      ],
    );
    const detected = alerts[1];
    assert.ok(detected);
    assert.equal(detected.author_name, `podinfo.${ns}`);
    assert.deepEqual(
      detected.fields.map(f => f.title),
      ['Cluster', 'Target', 'Failed checks threshold', 'Progress deadline', 'Traffic routing'],
    );
    assert.equal(detected.fields[0]?.value, 'lab');
    assert.deepEqual(
      receiver.server.callsTo('/global'),
      [],
      'a canary with alerts does not use the global one',
    );
  });

  it('fails a promotion whose primary never becomes ready, leaving the traffic with the canary', async () => {
    const ns = await cluster.namespace('alerts');
    receiver.server.answer(`/gate/${ns}`, 403);
    await releaseWithSlackAlerts(ns, 'error', [
      { name: 'gate', type: 'confirm-promotion', url: `${receiver.server.url}/gate/${ns}` },
    ]);
    await eventually(
      async () => (await phase(ns)) === 'WaitingPromotion',
      'not waiting for promotion',
      90_000,
    );

    // No more pods in the namespace: the promoted primary cannot roll out, and gives up after 2s.
    const pods = (await cluster.client.list('v1', 'Pod', { namespace: ns })).items.length;
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', name: 'no-more-pods', namespace: ns };
    await cluster.client.create({
      ...quota,
      metadata: { name: quota.name, namespace: ns },
      spec: { hard: { pods: String(pods) } },
    });
    type Quota = KubeObject & { status?: { used?: Record<string, string> } };
    await eventually(
      async () => (await cluster.client.get<Quota>(quota)).status?.used?.pods === String(pods),
      'quota usage not computed',
    );
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: ns };
    await cluster.client.patch(target, 'merge', { spec: { progressDeadlineSeconds: 2 } });
    receiver.server.answer(`/gate/${ns}`, 200);

    await eventually(async () => (await phase(ns)) === 'Failed', 'the promotion did not fail', 90_000);
    const events = await canaryEvents(cluster, ns);
    const failed = `Promotion of podinfo.${ns} failed, primary not ready: podinfo-primary.${ns} not ready: `;
    assert.ok(
      events.some(e => e.startsWith(failed) && e.includes('exceeded its progress deadline')),
      events.join('\n'),
    );
    await eventually(
      () => slack(`/slack/${ns}`).some(a => a?.text.startsWith('Promotion failed, primary not ready: ')),
      'no alert for the failed promotion',
    );
    const status = (await getCanary(cluster, ns)).status;
    assert.equal(status?.canaryWeight, 100);
    const vs = await cluster.client.get<VirtualService>({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      name: 'podinfo',
      namespace: ns,
    });
    assert.deepEqual(
      vs.spec?.http?.[0]?.route?.map(r => [r.destination.host, r.weight]),
      [
        ['podinfo-primary', 0],
        ['podinfo-canary', 100],
      ],
    );
  });

  it('alerts through the global notifier on a pre-rollout failure, which Flagger does not report', async () => {
    const ns = await cluster.namespace('alerts');
    receiver.server.answer(`/pre/${ns}`, 500);
    await release(ns, {
      threshold: 1,
      webhooks: [{ name: 'smoke', type: 'pre-rollout', url: `${receiver.server.url}/pre/${ns}` }],
    });
    await eventually(async () => (await phase(ns)) === 'Failed', 'not rolled back', 90_000);
    await eventually(
      () =>
        teams('/global').some(
          s => s?.activitySubtitle === `podinfo.${ns}` && /Failed checks/.test(s.activityTitle),
        ),
      'rollback alert not received',
    );
    const titles = teams('/global')
      .filter(s => s?.activitySubtitle === `podinfo.${ns}`)
      .map(s => s?.activityTitle);
    assert.ok(
      titles.some(t => t?.startsWith('Pre-rollout check smoke failed')),
      titles.join('\n'),
    );
    assert.ok(titles.includes('Failed checks threshold reached 1'), titles.join('\n'));
  });
});
