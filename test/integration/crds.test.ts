import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { isInvalid, isNotFound } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { installCrds } from '../../src/playground/install-crds.ts';
import { useCluster } from '../harness/cluster.ts';
import { corpus, specExamples, type FixtureFile } from '../harness/fixtures.ts';

const crdsYaml = new URL('../../deploy/crds/crds.yaml', import.meta.url);
// Read here, not in a describe(): a missing ../shared/compat fails the file (node:test exits 0 for a throwing
// describe body).
const compatibilityCorpus = corpus();

/** Paths of values in `sent` that the API server did not store as sent (pruned or changed). */
function lostPaths(sent: unknown, stored: unknown, path = ''): string[] {
  if (sent === null || typeof sent !== 'object') return sent === stored ? [] : [path];
  if (stored === null || typeof stored !== 'object') return [path];
  return Object.entries(sent).flatMap(([key, value]) =>
    lostPaths(value, (stored as Record<string, unknown>)[key], path ? `${path}.${key}` : key),
  );
}

describe('CRDs on a real Kubernetes 1.20 API server', () => {
  const cluster = useCluster({ kubelet: false, controllerManager: false });
  let namespace = '';
  let counter = 0;

  before(async () => {
    const manifests = parseAllDocuments(readFileSync(crdsYaml, 'utf8')).map(d => d.toJS() as KubeObject);
    await installCrds(cluster.client, manifests);
    namespace = await cluster.namespace('compat');
  });

  /** Creates the object under a fresh name; returns what the API server stored. */
  async function create(object: Record<string, unknown>): Promise<Record<string, unknown>> {
    const metadata = { ...(object.metadata as object), name: `object-${++counter}`, namespace };
    return cluster.client.create({ ...object, metadata });
  }

  async function assertAccepted({ objects, header }: FixtureFile): Promise<void> {
    for (const object of objects) {
      const stored = await create(object);
      // A field the fixture says is not Flagger's may be pruned; nothing else may be.
      const lost = lostPaths(object.spec, stored.spec, 'spec').filter(
        path => !header.some(line => line.includes(path.split('.').at(-1) ?? path)),
      );
      assert.deepEqual(lost, [], 'fields the API server did not keep');
    }
  }

  describe('compatibility corpus', () => {
    for (const fixture of compatibilityCorpus) {
      if (fixture.expect === 'accept') {
        it(`accepts ${fixture.file}`, () => assertAccepted(fixture));
      } else {
        it(`rejects ${fixture.file}, as Flagger's CRD does`, async () => {
          for (const object of fixture.objects) {
            await assert.rejects(create(object), err => isInvalid(err) || isNotFound(err));
          }
        });
      }
    }
  });

  describe('spec examples', () => {
    for (const fixture of specExamples()) {
      it(`accepts ${fixture.file}`, () => assertAccepted(fixture));
    }
  });

  it('rejects a wrong type and a bad enum value with a message naming the field', async () => {
    const canary = (spec: Record<string, unknown>) => ({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'bad' },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898 },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10 },
        ...spec,
      },
    });
    await assert.rejects(
      create(canary({ analysis: { interval: '1m', threshold: 'five', stepWeight: 10 } })),
      err => {
        assert.ok(isInvalid(err));
        assert.match(String(err), /spec\.analysis\.threshold.* must be of type number/);
        return true;
      },
    );
    await assert.rejects(create(canary({ provider: 'envoy' })), err => {
      assert.ok(isInvalid(err));
      assert.match(String(err), /spec\.provider.*Unsupported value: "envoy".*supported values: .*"istio"/);
      return true;
    });
  });

  it("shows Flagger's columns in kubectl get canaries", async () => {
    const kubectl = (...args: string[]) =>
      execFileSync(cluster.plane.binaries.kubectl, ['--kubeconfig', cluster.plane.kubeconfigPath, ...args], {
        encoding: 'utf8',
      });
    await create({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
        service: { port: 9898 },
        analysis: { interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50 },
      },
    });
    const header = (output: string) => output.split('\n')[0]?.trim().split(/\s+/);
    assert.deepEqual(header(kubectl('get', 'canaries', '-A')), [
      'NAMESPACE',
      'NAME',
      'STATUS',
      'WEIGHT',
      'LASTTRANSITIONTIME',
    ]);
    assert.deepEqual(header(kubectl('get', 'canaries', '-A', '-o', 'wide')), [
      'NAMESPACE',
      'NAME',
      'STATUS',
      'WEIGHT',
      'SUSPENDED',
      'FAILEDCHECKS',
      'INTERVAL',
      'MIRROR',
      'STEPWEIGHT',
      'STEPWEIGHTS',
      'MAXWEIGHT',
      'LASTTRANSITIONTIME',
    ]);
    assert.match(kubectl('get', 'all', '-n', namespace), /canary\.flagger\.app\//);
    assert.deepEqual(header(kubectl('get', 'metrictemplates', '-A')), ['NAMESPACE', 'NAME', 'PROVIDER']);
    assert.deepEqual(header(kubectl('get', 'alertproviders', '-A')), ['NAMESPACE', 'NAME', 'TYPE']);
  });
});
