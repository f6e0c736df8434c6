import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentReadScope, ReadScope, withReadScope, type IsCurrent } from './read-scope.ts';
import type { KubeObject, ObjectRef } from './types.ts';

const SERVER = 'https://127.0.0.1:6443';
const ref: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace: 'test' };
const at = (resourceVersion: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace: 'test', resourceVersion },
});

/** Lets the scope's bookkeeping of settled answers run. */
const settled = () => new Promise(resolve => setImmediate(resolve));

describe('ReadScope', () => {
  it('recalls a copy of what was read or written, in the same API version only', async () => {
    const scope = new ReadScope();
    scope.remember(SERVER, ref, Promise.resolve(at('1')));
    assert.deepEqual(await scope.recall(SERVER, ref), at('1'));
    assert.equal(scope.recall(SERVER, { ...ref, apiVersion: 'apps/v1beta1' }), undefined);
    assert.equal(scope.recall('https://other:6443', ref), undefined);
    scope.remember(SERVER, ref, Promise.resolve(at('2')));
    assert.deepEqual(await scope.recall(SERVER, ref), at('2'));
    scope.forget(SERVER, ref);
    assert.equal(scope.recall(SERVER, ref), undefined);
  });

  it('forgets a failed read, so that the next one asks again', async () => {
    const scope = new ReadScope();
    scope.remember(SERVER, ref, Promise.reject(new Error('timeout')));
    await settled();
    assert.equal(scope.recall(SERVER, ref), undefined);
  });

  it('carries over to the next scope only what a watch still sees at the same version, once', async () => {
    const first = new ReadScope();
    const other = { ...ref, name: 'podinfo-primary' };
    first.remember(SERVER, ref, Promise.resolve(at('1')));
    first.remember(SERVER, other, Promise.resolve(at('5')));
    await settled();
    const carried = first.close();
    assert.equal(first.recall(SERVER, ref), undefined);
    const current: Record<string, string> = { podinfo: '1', 'podinfo-primary': '6' };
    const isCurrent: IsCurrent = (_server, { name }, version) => current[name] === version;
    const next = new ReadScope({ carried, isCurrent });
    assert.deepEqual(await next.recall(SERVER, ref), at('1'));
    assert.equal(next.recall(SERVER, other), undefined, 'changed since: read again');
    next.forget(SERVER, ref);
    assert.equal(next.recall(SERVER, ref), undefined, 'after a conflict the carried copy is not used again');
  });

  it('is the scope of the work that runs in it, and of nothing after it ends', async () => {
    let later: Promise<ReadScope | undefined> | undefined;
    await withReadScope(async () => {
      const scope = currentReadScope();
      assert.ok(scope);
      later = settled().then(() => {
        scope.remember(SERVER, ref, Promise.resolve(at('1')));
        return currentReadScope();
      });
      await Promise.resolve();
    });
    const scope = await later;
    assert.ok(scope, 'a continuation keeps its context');
    assert.equal(scope.recall(SERVER, ref), undefined, 'a closed scope remembers nothing');
    assert.equal(currentReadScope(), undefined);
  });
});
