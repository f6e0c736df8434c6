import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeClient } from '../../src/kube/client.ts';
import { isAlreadyExists, isInvalid, isNotFound } from '../../src/kube/errors.ts';
import { EventRecorder } from '../../src/kube/events.ts';
import { withReadScope } from '../../src/kube/read-scope.ts';
import type { ConfigMap, CoreEvent, Deployment } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { useCluster } from '../harness/cluster.ts';
import { TcpProxy } from '../harness/tcp-proxy.ts';

const cm = (namespace: string, name: string, data: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});

describe('KubeClient on a real API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });

  it('creates, reads, lists, updates and deletes', async () => {
    const ns = await cluster.namespace();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: ns };
    const created = await cluster.client.create(cm(ns, 'a', { k: '1' }));
    await assert.rejects(cluster.client.create(cm(ns, 'a', { k: '1' })), isAlreadyExists);
    const read = await cluster.client.get<ConfigMap>(ref);
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    read.data = { k: '2' };
    await cluster.client.update(read);
    const list = await cluster.client.list<ConfigMap>('v1', 'ConfigMap', { namespace: ns });
    assert.deepEqual(
      list.items.map(i => [i.kind, i.metadata?.name, i.data?.k]),
      [['ConfigMap', 'a', '2']],
    );
    assert.ok(list.resourceVersion);
    assert.equal(await cluster.client.delete(ref), true);
    assert.equal(await cluster.client.delete(ref), false);
    assert.equal(await cluster.client.tryGet(ref), undefined);
    await assert.rejects(cluster.client.get(ref), isNotFound);
  });

  it('patches with merge, JSON and server-side apply', async () => {
    const ns = await cluster.namespace();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'p', namespace: ns };
    await cluster.client.create(cm(ns, 'p', { a: '1' }));
    await cluster.client.patch(ref, 'merge', { data: { b: '2' } });
    await cluster.client.patch(ref, 'json', [{ op: 'remove', path: '/data/a' }]);
    const applied = await cluster.client.apply(cm(ns, 'p', { c: '3' }), { force: true });
    assert.deepEqual(applied.data, { b: '2', c: '3' });
    assert.ok(applied.metadata?.managedFields?.some(f => f.manager === 'flagger' && f.operation === 'Apply'));
  });

  it('writes status through the status subresource only', async () => {
    const ns = await cluster.namespace();
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', namespace: ns };
    await cluster.client.create<Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: ns },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'd', image: 'x' }] } },
      },
    });
    await cluster.client.modify<Deployment>(
      ref,
      d => {
        d.status = { observedGeneration: 7 };
        return true;
      },
      { status: true },
    );
    await cluster.client.patch(ref, 'merge', { spec: { replicas: 3 } });
    const d = await cluster.client.get<Deployment>(ref);
    assert.equal(d.status?.observedGeneration, 7);
    assert.equal(d.spec?.replicas, 3);
  });

  it("retries a read-modify-write that lost a race, keeping both writers' changes", async () => {
    const ns = await cluster.namespace();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'race', namespace: ns };
    await cluster.client.create(cm(ns, 'race', {}));
    let attempts = 0;
    await cluster.client.modify<ConfigMap>(ref, async obj => {
      attempts++;
      // Another writer changes the object between our read and our write.
      if (attempts === 1) await cluster.client.patch(ref, 'merge', { data: { theirs: 'yes' } });
      obj.data = { ...obj.data, ours: 'yes' };
      return true;
    });
    assert.equal(attempts, 2);
    const data = (await cluster.client.get<ConfigMap>(ref)).data;
    assert.deepEqual(data, { theirs: 'yes', ours: 'yes' });
  });

  it('in a read scope, reads an object once, sees its own writes and reads afresh after a conflict', async () => {
    const ns = await cluster.namespace();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'scoped', namespace: ns };
    await cluster.client.create(cm(ns, 'scoped', { v: '1' }));
    const client = new KubeClient(cluster.client.kubeConfig);
    await client.get(ref); // API discovery, outside the count
    const requests: string[] = [];
    client.onResponse(method => requests.push(method));
    // Another writer, outside the scope: a continuation takes the context of the code that registered it.
    let letThemWrite = () => {};
    const theyWrote = new Promise<void>(resolve => (letThemWrite = resolve)).then(() =>
      cluster.client.patch(ref, 'merge', { data: { theirs: 'yes' } }),
    );
    let release = () => {};
    const released = new Promise<void>(resolve => (release = resolve));
    let background: Promise<ConfigMap> | undefined;
    await withReadScope(async () => {
      const [a, b] = await Promise.all([client.get<ConfigMap>(ref), client.get<ConfigMap>(ref)]);
      a.data = { v: 'mutated by its reader' };
      assert.deepEqual((await client.get<ConfigMap>(ref)).data, { v: '1' });
      assert.deepEqual(b.data, { v: '1' });
      assert.deepEqual(requests, ['GET']);
      // What this client writes is what it reads next, without asking.
      await client.patch(ref, 'merge', { data: { v: '2' } });
      assert.deepEqual((await client.get<ConfigMap>(ref)).data, { v: '2' });
      assert.deepEqual(requests, ['GET', 'PATCH']);
      // Another writer: the scope's copy is stale, which the write's conflict reveals.
      letThemWrite();
      await theyWrote;
      await client.modify<ConfigMap>(ref, obj => {
        obj.data = { ...obj.data, ours: 'yes' };
        return true;
      });
      assert.deepEqual(requests, ['GET', 'PATCH', 'PUT', 'GET', 'PUT']);
      assert.deepEqual((await client.get<ConfigMap>(ref)).data, { v: '2', theirs: 'yes', ours: 'yes' });
      assert.equal(await client.delete(ref), true);
      assert.equal(await client.tryGet(ref), undefined);
      await client.create(cm(ns, 'scoped', { v: '3' }));
      background = released.then(() => client.get<ConfigMap>(ref));
    });
    // Work the scope started reads afresh once the scope is over.
    await cluster.client.patch(ref, 'merge', { data: { v: '4' } });
    release();
    assert.equal((await background)?.data?.v, '4');
  });

  it('keeps its connections to the API server open for the next requests', async () => {
    const proxy = await TcpProxy.start(cluster.plane.apiPort);
    try {
      const client = cluster.plane.client({ server: `https://127.0.0.1:${proxy.port}` });
      for (let i = 0; i < 20; i++) await client.serverVersion();
      await Promise.all(Array.from({ length: 20 }, () => client.serverVersion()));
      // One for the requests one after another; the twenty at once need twenty at most.
      assert.ok(proxy.connections <= 20, `${proxy.connections} connections for 40 requests`);
    } finally {
      await proxy.stop();
    }
  });

  it('holds requests to -kubeconfig-qps after a -kubeconfig-burst', async () => {
    const limited = new KubeClient(cluster.client.kubeConfig, { rateLimit: { qps: 10, burst: 2 } });
    const started = performance.now();
    await Promise.all(Array.from({ length: 7 }, () => limited.serverVersion()));
    // Two at once, five more at ten per second.
    assert.ok(performance.now() - started >= 450);
  });

  it('reports an object the API server rejects as Invalid with its message', async () => {
    const ns = await cluster.namespace();
    await assert.rejects(cluster.client.create(cm(ns, 'Bad_Name', {})), err => {
      assert.ok(isInvalid(err));
      assert.match((err as Error).message, /Bad_Name/);
      return true;
    });
  });

  it('records events with source flagger and counts repeats', async () => {
    const ns = await cluster.namespace();
    const target = await cluster.client.create(cm(ns, 'target', {}));
    const recorder = new EventRecorder(cluster.client, silentLogger());
    await recorder.record(target, 'Normal', 'Synced', 'Advance podinfo.test canary weight 10');
    await recorder.record(target, 'Normal', 'Synced', 'Advance podinfo.test canary weight 10');
    await recorder.record(target, 'Warning', 'Synced', 'Halt advancement');
    const events = (await cluster.client.list<CoreEvent>('v1', 'Event', { namespace: ns })).items;
    const byMessage = new Map(events.map(e => [e.message, e]));
    const advance = byMessage.get('Advance podinfo.test canary weight 10');
    assert.equal(events.length, 2);
    assert.equal(advance?.count, 2);
    assert.equal(advance.source?.component, 'flagger');
    assert.equal(advance.involvedObject.uid, target.metadata?.uid);
    assert.equal(byMessage.get('Halt advancement')?.type, 'Warning');
  });
});
