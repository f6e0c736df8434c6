// Alerts during real releases: a canary's analysis.alerts through its AlertProvider, the global notifier for a
// canary without alerts, and the failure paths Flagger leaves silent (pre-rollout failure, progress deadline).
import assert from 'node:assert/strict';
import { before, after, describe, it } from 'node:test';
import { API_VERSION } from '../../src/api/crds.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { getCanary, useController } from '../harness/controller.ts';
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

  it("sends a canary's alerts to its AlertProvider, with the alert fields", async () => {
    const ns = await cluster.namespace('alerts');
    await cluster.client.create({
      apiVersion: API_VERSION,
      kind: 'AlertProvider',
      metadata: { name: 'on-call', namespace: ns },
      spec: { type: 'slack', channel: 'releases', address: `${receiver.server.url}/slack/${ns}` },
    });
    await release(ns, {
      stepWeight: 50,
      maxWeight: 50,
      alerts: [{ name: 'on-call', severity: 'info', providerRef: { name: 'on-call' } }],
    });
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
