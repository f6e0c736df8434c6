import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCanary } from '../api/canary.fixture.ts';
import {
  isFlaggerTraffic,
  isKnativeTarget,
  latestRevision,
  primaryRevision,
  readTraffic,
  revisionReadiness,
  trafficSpec,
} from './knative-service.ts';

const canary = testCanary({
  spec: {
    provider: 'knative',
    targetRef: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'podinfo' },
  },
});

describe('Knative Service targets', () => {
  it('are Services of serving.knative.dev', () => {
    assert.equal(isKnativeTarget(canary), true);
    const core = {
      ...canary,
      spec: { ...canary.spec, targetRef: { apiVersion: 'v1', kind: 'Service' as const, name: 'x' } },
    };
    assert.equal(isKnativeTarget(core), false);
  });

  it('name the latest created revision, and fail before Knative has created one', () => {
    assert.equal(
      latestRevision(canary, { status: { latestCreatedRevisionName: 'podinfo-00002' } }),
      'podinfo-00002',
    );
    assert.throws(() => latestRevision(canary, {}), /Knative Service podinfo.test has no revision yet/);
  });

  it('pin the primary revision with an annotation', () => {
    const annotated = { metadata: { annotations: { 'flagger.app/primary-revision': 'podinfo-00001' } } };
    assert.equal(primaryRevision(annotated), 'podinfo-00001');
    assert.equal(
      primaryRevision({ metadata: { annotations: { 'flagger.app/primary-revision': '' } } }),
      undefined,
    );
    assert.equal(primaryRevision({}), undefined);
  });
});

describe('Knative traffic', () => {
  it('gives the latest revision the canary share and the pinned revision the rest', () => {
    assert.deepEqual(trafficSpec('podinfo-00001', { primaryWeight: 90, canaryWeight: 10 }), [
      { latestRevision: true, percent: 10 },
      { revisionName: 'podinfo-00001', percent: 90 },
    ]);
  });

  it('is recognised in the shape it is written, and only then', () => {
    const traffic = trafficSpec('podinfo-00001', { primaryWeight: 100, canaryWeight: 0 });
    assert.equal(isFlaggerTraffic(traffic, 'podinfo-00001'), true);
    assert.equal(isFlaggerTraffic(traffic, 'podinfo-00002'), false);
    assert.equal(isFlaggerTraffic([...traffic, { revisionName: 'x', percent: 0 }], 'podinfo-00001'), false);
    assert.equal(isFlaggerTraffic([{ latestRevision: true, percent: 100 }], 'podinfo-00001'), false);
    assert.equal(isFlaggerTraffic(undefined, undefined), false);
  });

  it('is read from the targets Knative resolved, also while the latest revision is the primary', () => {
    assert.deepEqual(
      readTraffic(
        [
          { revisionName: 'podinfo-00002', latestRevision: true, percent: 40 },
          { revisionName: 'podinfo-00001', latestRevision: false, percent: 60 },
        ],
        'podinfo-00001',
      ),
      { primaryWeight: 60, canaryWeight: 40 },
    );
    assert.deepEqual(
      readTraffic(
        [
          { revisionName: 'podinfo-00001', latestRevision: true, percent: 0 },
          { revisionName: 'podinfo-00001', latestRevision: false, percent: 100 },
        ],
        'podinfo-00001',
      ),
      { primaryWeight: 100, canaryWeight: 0 },
    );
    // Promoted, not yet re-split: the latest revision, now the primary, is both.
    assert.deepEqual(
      readTraffic(
        [
          { revisionName: 'podinfo-00002', latestRevision: true, percent: 50 },
          { revisionName: 'podinfo-00001', latestRevision: false, percent: 50 },
        ],
        'podinfo-00002',
      ),
      { primaryWeight: 50, canaryWeight: 50 },
    );
  });

  it('says what is missing', () => {
    assert.deepEqual(readTraffic(undefined, 'p'), { problem: 'traffic spec invalid' });
    assert.deepEqual(readTraffic([{ latestRevision: true, percent: 100 }], 'p'), {
      problem: 'traffic spec invalid',
    });
    assert.deepEqual(readTraffic([{ latestRevision: true, percent: 0 }, { revisionName: 'p' }], 'p'), {
      problem: 'primary revision traffic percent does not exist',
    });
    assert.deepEqual(readTraffic([{ latestRevision: true }, { revisionName: 'p', percent: 100 }], 'p'), {
      problem: 'canary revision traffic percent does not exist',
    });
  });
});

describe('revisionReadiness', () => {
  const revision = (generation: number, observedGeneration: number, ready: string) => ({
    metadata: { name: 'podinfo-00001', namespace: 'test', generation },
    status: { observedGeneration, conditions: [{ type: 'Ready', status: ready }] },
  });

  it('is ready when Knative saw the generation and the Ready condition is True', () => {
    assert.deepEqual(revisionReadiness(revision(1, 1, 'True')), { ready: true });
  });

  it('is retriable otherwise', () => {
    const notReady = {
      ready: false,
      retriable: true,
      message: 'Knative Revision podinfo-00001.test is not ready',
    };
    assert.deepEqual(revisionReadiness(revision(1, 1, 'Unknown')), notReady);
    assert.deepEqual(revisionReadiness(revision(2, 1, 'True')), notReady);
    assert.deepEqual(revisionReadiness({ metadata: { name: 'podinfo-00001', namespace: 'test' } }), notReady);
  });
});
