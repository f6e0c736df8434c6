import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROVIDERS, parseProvider, providerProblem } from './providers.ts';

describe('parseProvider', () => {
  for (const provider of PROVIDERS) {
    it(`accepts the CRD value ${provider}`, () => assert.deepEqual(parseProvider(provider), { provider }));
  }

  it('reads a bare gatewayapi as gatewayapi:v1 (Flagger falls back to Istio, quirk Q13)', () => {
    assert.deepEqual(parseProvider('gatewayapi'), { provider: 'gatewayapi:v1' });
  });

  it('splits smi:<version>:<mesh>', () => {
    assert.deepEqual(parseProvider('smi:v1alpha3:linkerd'), { provider: 'smi:v1alpha3', mesh: 'linkerd' });
    assert.deepEqual(parseProvider('smi:v1alpha1:istio'), { provider: 'smi:v1alpha1', mesh: 'istio' });
  });

  for (const value of [
    '',
    'Istio',
    'smi',
    'smi:v1alpha4',
    'smi:v1alpha3:',
    'gatewayapi:v2',
    'appmesh:v1beta3',
    'foo',
  ]) {
    it(`rejects ${JSON.stringify(value)} (Flagger would silently use Istio, quirk Q3)`, () => {
      assert.equal(parseProvider(value), undefined);
      assert.match(
        providerProblem(value) ?? '',
        /^unknown provider ".*": use one of apisix, .*smi:<version>:<mesh>$/,
      );
    });
  }

  it('has no problem with valid names', () => {
    assert.equal(providerProblem('appmesh:v1beta2'), undefined);
  });
});
