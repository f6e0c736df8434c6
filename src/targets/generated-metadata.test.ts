import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary } from '../api/canary.ts';
import { includeByPrefix, isCanaryRef, podAnnotations, primaryLabels } from './generated-metadata.ts';
import { canaryOwnerReference, withFluxAnnotations } from '../api/generated-objects.ts';

const labels = {
  app: 'podinfo',
  'app.kubernetes.io/part-of': 'shop',
  'kustomize.toolkit.fluxcd.io/name': 'apps',
};

describe('includeByPrefix', () => {
  it("copies nothing by default ('' or no prefix), everything but Flux keys with '*'", () => {
    assert.deepEqual(includeByPrefix(labels, ['']), {});
    assert.deepEqual(includeByPrefix(labels, []), {});
    assert.deepEqual(includeByPrefix(labels, ['*']), { app: 'podinfo', 'app.kubernetes.io/part-of': 'shop' });
  });

  it('copies the keys with one of the prefixes', () => {
    assert.deepEqual(includeByPrefix(labels, ['app.kubernetes.io', 'kustomize']), {
      'app.kubernetes.io/part-of': 'shop',
    });
  });
});

describe('generated metadata', () => {
  it('gives the primary its selector value and drops Flux keys', () => {
    assert.deepEqual(primaryLabels(labels, 'app', 'podinfo-primary'), {
      app: 'podinfo-primary',
      'app.kubernetes.io/part-of': 'shop',
    });
  });

  it('replaces flagger-id in pod annotations', () => {
    assert.deepEqual(podAnnotations({ 'flagger-id': 'old', a: 'b' }, 'new'), { 'flagger-id': 'new', a: 'b' });
  });

  it('disables Flux reconciliation and drift detection', () => {
    assert.deepEqual(withFluxAnnotations({ a: 'b' }), {
      a: 'b',
      'kustomize.toolkit.fluxcd.io/reconcile': 'disabled',
      'helm.toolkit.fluxcd.io/driftDetection': 'disabled',
    });
  });

  it('makes the Canary the controller owner', () => {
    const canary = { metadata: { name: 'podinfo', uid: 'u-1' }, spec: {} } as Canary;
    const ref = canaryOwnerReference(canary);
    assert.deepEqual(ref, {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      name: 'podinfo',
      uid: 'u-1',
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.equal(isCanaryRef(ref, canary), true);
    assert.equal(isCanaryRef({ ...ref, uid: 'other' }, canary), false);
  });
});
