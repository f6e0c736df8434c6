import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, ObjectRef } from '../../kube/types.ts';
import { KeptnProvider, parseKeptnQuery, type KeptnKube } from './keptn.ts';

/** An in-memory API: objects by kind/namespace/name; `onGet` may rewrite an object before it is read. */
class FakeKube implements KeptnKube {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: string[] = [];
  onGet: (object: KubeObject, reads: number) => KubeObject = object => object;
  failDelete = false;
  /** Calls that never answer, as from an API server that hangs. */
  hangs = false;
  private reads = 0;

  get(ref: ObjectRef): Promise<KubeObject> {
    this.calls.push(`get ${ref.kind} ${key(ref)}`);
    if (this.hangs) return new Promise(() => undefined);
    const object = this.objects.get(`${ref.kind}/${key(ref)}`);
    if (object === undefined) return Promise.reject(new Error(`${ref.kind} "${ref.name}" not found`));
    return Promise.resolve(this.onGet(object, ++this.reads));
  }

  create(object: KubeObject): Promise<KubeObject> {
    const ref = { name: object.metadata?.name ?? '', namespace: object.metadata?.namespace ?? '' };
    this.calls.push(`create ${object.kind ?? ''} ${key(ref)}`);
    if (this.hangs) return new Promise(() => undefined);
    this.objects.set(`${object.kind ?? ''}/${key(ref)}`, object);
    return Promise.resolve(object);
  }

  delete(ref: ObjectRef): Promise<boolean> {
    this.calls.push(`delete ${ref.kind} ${key(ref)}`);
    if (this.failDelete) return Promise.reject(new Error('forbidden'));
    return Promise.resolve(this.objects.delete(`${ref.kind}/${key(ref)}`));
  }

  only(kind: string): KubeObject {
    const found = [...this.objects].filter(([k]) => k.startsWith(`${kind}/`));
    assert.equal(found.length, 1);
    return found[0]![1];
  }
}

const key = (ref: { namespace?: string; name: string }) => `${ref.namespace ?? ''}/${ref.name}`;
const withStatus = (object: KubeObject, status: object): KubeObject => ({ ...object, status }) as KubeObject;
const provider = (kube: FakeKube, extra: { timeoutMs?: number; onCleanupError?: () => void } = {}) =>
  new KeptnProvider({ kube, pollMs: 1, ...extra });

describe('KeptnProvider: KeptnMetric', () => {
  it('reads status.value of the KeptnMetric named by the query', async () => {
    const kube = new FakeKube();
    kube.objects.set('KeptnMetric/test/podinfo-rate', {
      kind: 'KeptnMetric',
      status: { value: '12.5' },
    } as KubeObject);
    assert.equal(await provider(kube).runQuery('KeptnMetric/Test/Podinfo-Rate\n'), 12.5);
    assert.deepEqual(kube.calls, ['get KeptnMetric test/podinfo-rate']);
  });

  it('fails with Flagger texts when the metric is missing, unmeasured or not a number', async () => {
    const kube = new FakeKube();
    await assert.rejects(
      provider(kube).runQuery('keptnmetrics/test/m'),
      /^Error: could not retrieve KeptnMetric test\/m: /,
    );
    kube.objects.set('KeptnMetric/test/m', { kind: 'KeptnMetric' });
    await assert.rejects(
      provider(kube).runQuery('keptnmetric/test/m'),
      /^Error: could not retrieve KeptnMetric - no value found in resource test\/m$/,
    );
    kube.objects.set('KeptnMetric/test/m', 'not json' as unknown as KubeObject);
    await assert.rejects(
      provider(kube).runQuery('keptnmetric/test/m'),
      /^Error: could not retrieve KeptnMetric test\/m: the answer is not a KeptnMetric$/,
    );
    kube.objects.set('KeptnMetric/test/m', { kind: 'KeptnMetric', status: { value: 'high' } } as KubeObject);
    await assert.rejects(
      provider(kube).runQuery('keptnmetric/test/m'),
      /could not parse value of KeptnMetric test\/m/,
    );
  });
});

describe('KeptnProvider: deadline', () => {
  it('fails a query at its deadline when the API server does not answer', async t => {
    const kube = new FakeKube();
    kube.hangs = true;
    // A hung API server's socket keeps the process alive; the deadline's own timer does not.
    const socket = setInterval(() => undefined, 1_000);
    t.after(() => clearInterval(socket));
    await assert.rejects(
      provider(kube, { timeoutMs: 20 }).runQuery('keptnmetric/test/m'),
      /^Error: could not retrieve KeptnMetric test\/m: timeout exceeded$/,
    );
    await assert.rejects(
      provider(kube, { timeoutMs: 20 }).runQuery('analysis/test/slo'),
      /^Error: could not create Keptn Analysis test\/slo: timeout exceeded$/,
    );
  });
});

describe('KeptnProvider: Analysis', () => {
  it('creates an Analysis, polls until Keptn completes it, returns 1 when it passed and deletes it', async () => {
    const kube = new FakeKube();
    kube.onGet = (object, reads) =>
      reads < 3
        ? withStatus(object, { state: 'Progressing' })
        : withStatus(object, { state: 'Completed', pass: true });
    assert.equal(
      await provider(kube).runQuery('analysis/test/slo/5m/workload=podinfo;bad;a=b=c;env=prod'),
      1,
    );
    const created = kube.calls[0]!;
    assert.match(created, /^create Analysis test\/slo-[0-9a-f-]{6}$/);
    const name = created.slice('create Analysis test/'.length);
    assert.deepEqual(kube.calls.slice(1), [
      `get Analysis test/${name}`,
      `get Analysis test/${name}`,
      `get Analysis test/${name}`,
      `delete Analysis test/${name}`,
    ]);
  });

  it('sends the definition, the time frame and the arguments; 1m by default; 0 when it failed', async () => {
    const kube = new FakeKube();
    let sent: KubeObject | undefined;
    kube.onGet = object => ((sent = object), withStatus(object, { state: 'Completed', pass: false }));
    assert.equal(await provider(kube).runQuery('analyses/test/slo'), 0);
    assert.deepEqual(sent, {
      apiVersion: 'metrics.keptn.sh/v1beta1',
      kind: 'Analysis',
      metadata: { name: sent?.metadata?.name, namespace: 'test' },
      spec: { analysisDefinition: { name: 'slo' }, timeframe: { recent: '1m' }, args: {} },
    });
  });

  it('times out when Keptn never completes it, and still deletes it', async () => {
    const kube = new FakeKube();
    kube.onGet = object => withStatus(object, { state: 'Completed' });
    await assert.rejects(
      provider(kube, { timeoutMs: 20 }).runQuery('analysis/test/slo'),
      /^Error: encountered timeout while waiting for Keptn Analysis test\/slo to be finished$/,
    );
    assert.match(kube.calls.at(-1)!, /^delete Analysis /);
  });

  it('reports a failed deletion to onCleanupError and still returns the verdict', async () => {
    const kube = new FakeKube();
    kube.failDelete = true;
    kube.onGet = object => withStatus(object, { state: 'Completed', pass: true });
    const failures: string[] = [];
    const keptn = new KeptnProvider({ kube, pollMs: 1, onCleanupError: name => failures.push(name) });
    assert.equal(await keptn.runQuery('analysis/test/slo'), 1);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /^slo-/);
  });

  it('stops when the caller aborts', async () => {
    const kube = new FakeKube();
    kube.onGet = object => withStatus(object, { state: 'Progressing' });
    const controller = new AbortController();
    const running = provider(kube).runQuery('analysis/test/slo', controller.signal);
    controller.abort();
    await assert.rejects(running, { name: 'AbortError' });
  });

  it('is always online', async () => {
    assert.equal(await provider(new FakeKube()).isOnline(), true);
  });
});

describe('parseKeptnQuery', () => {
  it('rejects short queries and unknown kinds', () => {
    assert.throws(() => parseKeptnQuery('keptnmetric/test'), /^Error: unexpected query format/);
    assert.throws(() => parseKeptnQuery('metric/test/m'), /unexpected resource kind/);
  });

  it('lower-cases arguments and keeps only key=value pairs', () => {
    assert.deepEqual(parseKeptnQuery(' Analysis/NS/Def/10m/Key=Value;x '), {
      kind: 'Analysis',
      namespace: 'ns',
      name: 'def',
      duration: '10m',
      args: { key: 'value' },
    });
  });
});
