// Event webhooks during a real release: a receiver that holds every request open does not slow the analysis,
// and once it answers it gets one POST per event, in the order the events happened.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

/** An event receiver that answers nothing until released, then answers everything at once. */
class StallingReceiver {
  readonly messages: string[] = [];
  url = '';
  private held: ServerResponse[] = [];
  private released = false;
  private readonly server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const payload = JSON.parse(body) as { metadata?: { eventMessage?: string } };
      this.messages.push(payload.metadata?.eventMessage ?? '');
      if (this.released) res.writeHead(200).end();
      else this.held.push(res);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
  }

  release(): void {
    this.released = true;
    for (const res of this.held.splice(0)) res.writeHead(200).end();
  }

  async stop(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }
}

describe('event webhooks with a stalled receiver', () => {
  const cluster = useCluster();
  const receiver = new StallingReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());
  const flagger = useController(cluster);

  it('keeps analysing while the receiver stalls, then delivers every event once, in order', async () => {
    const ns = await cluster.namespace('events');
    await flagger.serveTraffic(ns, 'podinfo', { rps: 10, successRate: 100, latencyMs: 40 });
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(
      podinfoCanary(ns, {
        stepWeight: 10,
        maxWeight: 30,
        webhooks: [{ name: 'audit', type: 'event', url: `${receiver.url}/${ns}`, timeout: '120s' }],
      }),
    );
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Initialized',
      'init',
      60_000,
    );
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Succeeded',
      'the release did not finish while the receiver stalled',
      90_000,
    );
    assert.equal(receiver.messages.length, 1, 'only the first event is in flight while the receiver stalls');

    receiver.release();
    const events = await canaryEvents(cluster, ns);
    const advances = [10, 20, 30].map(w => `Advance podinfo.${ns} canary weight ${w}`);
    const expected = [
      `New revision detected! Scaling up podinfo.${ns}`,
      ...advances,
      'Routing all traffic to primary',
    ];
    await eventually(
      () => expected.every(message => receiver.messages.includes(message)),
      'events were not delivered',
    );
    const delivered = receiver.messages.filter(message => expected.includes(message));
    assert.deepEqual(delivered, expected, 'one POST per event, in order');
    for (const message of expected) assert.ok(events.includes(message), message);
  });
});
