// service.retries.retryOn against the retry events a provider's routing object accepts: App Mesh's CRDs (v1beta1
// and v1beta2) refuse any httpRetryEvents entry outside their enum, so such a canary is invalid at apply time
// rather than failing at every reconcile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCanary } from './canary.fixture.ts';
import type { Canary } from './canary.ts';
import { validateCanary } from './validate.ts';

const FIELD = 'spec.service.retries.retryOn';
const ACCEPTED = 'server-error, gateway-error, client-error, stream-error';

function canary(provider: string | undefined, retryOn: string | undefined): Canary {
  return testCanary({
    spec: {
      ...(provider === undefined ? {} : { provider: provider as Canary['spec']['provider'] }),
      service: {
        meshName: 'global',
        retries: { attempts: 3, perTryTimeout: '5s', ...(retryOn === undefined ? {} : { retryOn }) },
      },
      analysis: { threshold: 5, stepWeight: 10, maxWeight: 50 },
    },
  });
}

interface Case {
  name: string;
  provider?: string;
  meshProvider?: string;
  retryOn?: string;
  /** The events named as refused; none: the canary is valid. */
  refused?: string;
}

const CASES: Case[] = [
  {
    name: 'Istio-style events with appmesh:v1beta2',
    provider: 'appmesh:v1beta2',
    retryOn: 'connect-failure,refused-stream',
    refused: 'connect-failure, refused-stream',
  },
  {
    name: 'Istio-style events with appmesh (v1beta1, same enum)',
    provider: 'appmesh',
    retryOn: 'connect-failure,refused-stream',
    refused: 'connect-failure, refused-stream',
  },
  {
    name: 'one bad event among good ones, repeated, spaced',
    provider: 'appmesh:v1beta2',
    retryOn: 'gateway-error, 5xx, client-error,5xx',
    refused: '5xx',
  },
  {
    name: 'an event in the wrong case',
    provider: 'appmesh:v1beta2',
    retryOn: 'Gateway-Error',
    refused: 'Gateway-Error',
  },
  {
    name: 'the provider from -mesh-provider',
    meshProvider: 'appmesh:v1beta2',
    retryOn: 'reset',
    refused: 'reset',
  },
  { name: 'every accepted event', provider: 'appmesh:v1beta2', retryOn: ACCEPTED },
  { name: 'accepted events, v1beta1', provider: 'appmesh', retryOn: 'server-error,stream-error' },
  { name: 'no retryOn (the router sends gateway-error)', provider: 'appmesh:v1beta2' },
  { name: 'an empty retryOn', provider: 'appmesh', retryOn: ' , ' },
  { name: 'Istio takes any event', provider: 'istio', retryOn: 'connect-failure,refused-stream' },
  { name: 'Istio from -mesh-provider', meshProvider: 'istio', retryOn: 'connect-failure' },
];

describe('retryOn events per provider', () => {
  for (const { name, provider, meshProvider, retryOn, refused } of CASES) {
    it(`${name}: ${refused === undefined ? 'valid' : `refuses ${refused}`}`, () => {
      const problems = validateCanary(canary(provider, retryOn), {
        noCrossNamespaceRefs: false,
        ...(meshProvider === undefined ? {} : { meshProvider }),
      });
      if (refused === undefined) {
        assert.deepEqual(problems, []);
        return;
      }
      const effective = provider ?? meshProvider ?? '';
      assert.deepEqual(problems, [
        {
          field: FIELD,
          message:
            `${FIELD} lists retry events the ${effective} provider does not accept: ${refused}; ` +
            `it accepts ${ACCEPTED} (comma-separated)`,
        },
      ]);
    });
  }
});
