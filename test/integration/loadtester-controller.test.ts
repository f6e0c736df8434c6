// End to end: the controller releases podinfo with its confirm-rollout, confirm-promotion, rollout and rollback
// webhooks pointed at the load tester, which an operator drives through its gate API; and a load tester binary
// started with -auth-token-file, which the controller's hooks reach with the token of their secretRef.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Canary, CanaryWebhook } from '../../src/api/canary.ts';
import type { ConfigMap, Deployment, Secret } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { ConfigMapGateStore } from '../../src/loadtester/configmap-gate-store.ts';
import { MemoryGateStore, type GateStore } from '../../src/loadtester/gate-store.ts';
import { LoadTesterServer } from '../../src/loadtester/server.ts';
import { freePort, waitFor } from '../../src/playground/process.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

const healthy = { rps: 10, successRate: 100, latencyMs: 50 };

// The releases run side by side (one namespace each) to keep the file short.
describe('the load tester driving a release', { concurrency: true }, () => {
  const cluster = useCluster();
  const flagger = useController(cluster);
  const testers: LoadTesterServer[] = [];
  let target: Server;
  let targetUrl = '';
  let targetRequests = 0;

  before(async () => {
    target = createServer((_req, res) => {
      targetRequests++;
      res.end('ok');
    });
    await new Promise<void>(resolve => target.listen(0, '127.0.0.1', resolve));
    const address = target.address();
    targetUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  after(async () => {
    await Promise.all(testers.map(t => t.stop()));
    target.close();
  });

  async function startTester(gates: GateStore = new MemoryGateStore(), port = 0) {
    const server = await LoadTesterServer.start({
      port,
      host: '127.0.0.1',
      timeoutMs: 60_000,
      namespaceRegexp: '^test-',
      gates,
      logger: silentLogger(),
    });
    testers.push(server);
    const url = `http://127.0.0.1:${server.port}`;
    const post = async (path: string, body: unknown) =>
      (await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) })).status;
    return { server, url, post };
  }

  const phase = async (ns: string) => (await getCanary(cluster, ns)).status?.phase;
  const primaryImage = async (ns: string) =>
    (
      await cluster.client.get<Deployment>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'podinfo-primary',
        namespace: ns,
      })
    ).spec?.template.spec?.containers[0]?.image;

  async function setup(ns: string, canary: Canary): Promise<void> {
    await flagger.serveTraffic(ns, 'podinfo', healthy);
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(canary);
    await eventually(async () => (await phase(ns)) === 'Initialized', 'not initialized', 60_000);
  }

  it('holds the rollout and the promotion at /gate/check until opened, with a hey load test', async () => {
    const ns = await cluster.namespace();
    const tester = await startTester();
    const webhooks: CanaryWebhook[] = [
      { name: 'start-gate', type: 'confirm-rollout', url: `${tester.url}/gate/check` },
      {
        name: 'load-test',
        type: 'rollout',
        url: `${tester.url}/`,
        timeout: '5s',
        metadata: { cmd: `hey -n 10 -c 1 -q 5 ${targetUrl}` },
      },
      { name: 'promotion-gate', type: 'confirm-promotion', url: `${tester.url}/gate/check` },
    ];
    await setup(ns, podinfoCanary(ns, { stepWeight: 25, metrics: [], webhooks }));
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(async () => (await phase(ns)) === 'Waiting', 'the closed gate did not hold the rollout');
    const gate = { name: 'podinfo', namespace: ns };
    assert.equal(await tester.post('/gate/open', gate), 202);
    // Not the phase: while the gate is closed it goes to Progressing before every check, and back to Waiting.
    await eventually(
      async () => (await canaryEvents(cluster, ns)).includes('Confirm-rollout check start-gate passed'),
      'the open gate did not start the rollout',
    );
    // Closed again before the last step: the promotion waits for it.
    assert.equal(await tester.post('/gate/close', gate), 202);
    await eventually(
      async () => (await phase(ns)) === 'WaitingPromotion',
      'the closed gate did not hold the promotion',
      60_000,
    );
    assert.ok(targetRequests > 0, 'the rollout hook generated load');
    assert.equal(await primaryImage(ns), 'podinfo:6.0.0');
    assert.equal(await tester.post('/gate/open', gate), 202);
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'not promoted once approved', 60_000);
    assert.equal(await primaryImage(ns), 'podinfo:6.0.1');
    const events = await canaryEvents(cluster, ns);
    assert.ok(
      events.includes(`Halt podinfo.${ns} advancement waiting for approval start-gate`),
      events.join('\n'),
    );
    assert.ok(events.includes('Confirm-rollout check start-gate passed'));
    assert.ok(
      events.includes(`Halt podinfo.${ns} advancement waiting for promotion approval promotion-gate`),
    );
    // hey ran once per 10 requests however often the hook was called.
    await waitFor(() => tester.server.runner.runningKeys.length === 0, 10_000, 'hey did not finish');
    assert.equal(targetRequests % 10, 0, `${targetRequests} requests`);
  });

  it('rolls back when /rollback/open is called during the analysis', async () => {
    const ns = await cluster.namespace();
    const tester = await startTester();
    await setup(
      ns,
      podinfoCanary(ns, {
        maxWeight: 100,
        metrics: [],
        webhooks: [{ name: 'rollback', type: 'rollback', url: `${tester.url}/rollback/check` }],
      }),
    );
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 10,
      'no progress',
      60_000,
    );
    assert.equal(await tester.post('/rollback/open', { name: 'podinfo', namespace: ns }), 202);
    await eventually(async () => (await phase(ns)) === 'Failed', 'the rollback gate did not roll back');
    assert.ok(
      (await canaryEvents(cluster, ns)).includes(`Rolling back podinfo.${ns} manual webhook invoked`),
    );
    assert.equal(await primaryImage(ns), 'podinfo:6.0.0');
  });

  it('keeps an opened gate in a ConfigMap across a restart of the load tester', async () => {
    const ns = await cluster.namespace();
    const port = await freePort();
    const store = () => new ConfigMapGateStore(cluster.client, ns, 'flagger-loadtester-gates');
    const first = await startTester(store(), port);
    const webhooks: CanaryWebhook[] = [
      { name: 'start-gate', type: 'confirm-rollout', url: `${first.url}/gate/check` },
    ];
    await setup(ns, podinfoCanary(ns, { stepWeight: 50, metrics: [], webhooks }));
    assert.equal(await first.post('/gate/open', { name: 'podinfo', namespace: ns }), 202);
    await first.server.stop();
    // The load tester is down: the new revision waits at the gate.
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await eventually(async () => (await phase(ns)) === 'Waiting', 'the rollout did not wait for the gate');
    // A new load tester on the same address, which was never told to open the gate, lets it through.
    await startTester(store(), port);
    await eventually(async () => (await phase(ns)) === 'Succeeded', 'the gate did not survive', 60_000);
    const configMap = await cluster.client.get<ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'flagger-loadtester-gates',
      namespace: ns,
    });
    assert.deepEqual(configMap.data, { [`podinfo.${ns}`]: 'true' });
  });
  it('sends the token of a webhook secretRef to a load tester started with -auth-token-file', async () => {
    const token = `t0ken-${String(process.pid)}-${String(Date.now())}`;
    const dir = await mkdtemp(join(tmpdir(), 'loadtester-token-'));
    await writeFile(join(dir, 'token'), `${token}\n`);
    const port = await freePort();
    const bin = new URL('../../bin/flagger-loadtester.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [
      bin,
      `-port=${String(port)}`,
      '-log-level=info',
      `-auth-token-file=${join(dir, 'token')}`,
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise(resolve => child.once('exit', resolve));
    try {
      await waitFor(() => /API on port \d+/.test(stderr), 90_000, 'the load tester did not start');
      const url = `http://127.0.0.1:${String(port)}`;
      const gate = { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'x' };
      const unauthenticated = await fetch(`${url}/gate/approve`, {
        method: 'POST',
        body: JSON.stringify(gate),
      });
      assert.equal(unauthenticated.status, 401);
      assert.match(await unauthenticated.text(), /requires an Authorization: Bearer <token> header/);

      const [withToken, without] = [await cluster.namespace(), await cluster.namespace()];
      await cluster.client.create<Secret>({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'loadtester-token', namespace: withToken },
        stringData: { token: `${token}\n` },
      });
      const hooks = (secretRef?: { name: string }): CanaryWebhook[] => [
        {
          name: 'start-gate',
          type: 'confirm-rollout',
          url: `${url}/gate/approve`,
          ...(secretRef && { secretRef }),
        },
        {
          name: 'smoke-test',
          type: 'pre-rollout',
          url: `${url}/`,
          metadata: { type: 'bash', cmd: 'test 1 -eq 1' },
          ...(secretRef && { secretRef }),
        },
      ];
      await Promise.all([
        setup(
          withToken,
          podinfoCanary(withToken, {
            stepWeight: 50,
            metrics: [],
            webhooks: hooks({ name: 'loadtester-token' }),
          }),
        ),
        setup(without, podinfoCanary(without, { stepWeight: 50, metrics: [], webhooks: hooks() })),
      ]);
      await Promise.all(
        [withToken, without].map(ns => setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1')),
      );
      await eventually(
        async () => (await phase(withToken)) === 'Succeeded',
        'the release with the token did not succeed',
        90_000,
      );
      assert.ok((await canaryEvents(cluster, withToken)).includes('Pre-rollout check smoke-test passed'));
      assert.equal(await primaryImage(withToken), 'podinfo:6.0.1');
      // Without the token the gate answers 401, which holds the rollout.
      await eventually(
        async () => (await phase(without)) === 'Waiting',
        'the release without the token was not held',
      );
      assert.equal(await primaryImage(without), 'podinfo:6.0.0');
      assert.ok(stderr.includes('refused: missing bearer token'), stderr);
      const logs = JSON.stringify(flagger.logs) + stderr;
      assert.ok(!logs.includes(token), 'the token is in a log');
    } finally {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
