import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { playgroundIstioCrdsYaml } from '../../test/harness/upstream-crds.ts';
import { istioCrds } from './istio-crds.ts';

describe('the playground Istio CRDs', () => {
  it("are upstream Istio's, as scripts/gen-playground-crds.ts makes them from shared/compat/crds", () => {
    const copy = readFileSync(new URL('crds/istio.yaml', import.meta.url), 'utf8');
    assert.equal(copy, playgroundIstioCrdsYaml(), 'stale copy: run npm run gen:playground-crds');
  });

  it('serve the VirtualService and DestinationRule versions the Istio router writes', () => {
    const served = istioCrds().map(crd => {
      const spec = (crd as { spec: { names: { kind: string }; versions: { name: string }[] } }).spec;
      return `${spec.names.kind}: ${spec.versions.map(version => version.name).join(', ')}`;
    });
    assert.deepEqual(served, [
      'VirtualService: v1, v1alpha3, v1beta1',
      'DestinationRule: v1, v1alpha3, v1beta1',
    ]);
  });
});
