import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryAnalysis } from '../api/canary.ts';
import { KUBECTL_ANNOTATION } from '../api/generated-objects.ts';
import { disabledCanary, readRoutes, routedAnnotations } from './nginx-annotations.ts';
import { toCanaryBackend } from './nginx.ts';

const PREFIX = 'nginx.ingress.kubernetes.io';
const key = (suffix: string) => `${PREFIX}/${suffix}`;

function canary(analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      analysis: { interval: '1m', ...analysis },
    },
  };
}

const abTest = (match: CanaryAnalysis['match']) => canary({ iterations: 10, match });

describe('disabledCanary', () => {
  it("drops every canary annotation and kubectl's copy, and switches the canary off", () => {
    const user = {
      [key('canary')]: 'true',
      [key('canary-weight')]: '30',
      [key('canary-by-header')]: 'x-canary',
      [key('rewrite-target')]: '/',
      [KUBECTL_ANNOTATION]: '{}',
    };
    assert.deepEqual(disabledCanary(PREFIX, user), {
      [key('rewrite-target')]: '/',
      [key('canary')]: 'false',
    });
  });

  it('uses the configured prefix', () => {
    assert.deepEqual(disabledCanary('custom.io', { 'custom.io/canary-weight': '5', [key('canary')]: 'x' }), {
      [key('canary')]: 'x',
      'custom.io/canary': 'false',
    });
  });
});

describe('routedAnnotations', () => {
  const start = { note: 'kept', [key('canary')]: 'false' };

  it('sets the weight and switches the canary on', () => {
    assert.deepEqual(routedAnnotations(PREFIX, canary(), 20, start), {
      note: 'kept',
      [key('canary')]: 'true',
      [key('canary-weight')]: '20',
    });
  });

  it('switches the canary off at weight 0, dropping the weight', () => {
    const running = routedAnnotations(PREFIX, canary(), 50, start);
    assert.deepEqual(routedAnnotations(PREFIX, canary(), 0, running), start);
  });

  it('routes an A/B test by header value or pattern, and by cookie', () => {
    const exact = abTest([
      { headers: { 'x-canary': { exact: 'insider' } } },
      { headers: { cookie: { exact: 'canary' } } },
    ]);
    assert.deepEqual(routedAnnotations(PREFIX, exact, 100, start), {
      note: 'kept',
      [key('canary')]: 'true',
      [key('canary-by-header')]: 'x-canary',
      [key('canary-by-header-value')]: 'insider',
      [key('canary-by-cookie')]: 'canary',
    });
    const pattern = abTest([{ headers: { 'user-agent': { regex: '.*Firefox.*' } } }]);
    assert.deepEqual(routedAnnotations(PREFIX, pattern, 100, start), {
      note: 'kept',
      [key('canary')]: 'true',
      [key('canary-by-header')]: 'user-agent',
      [key('canary-by-header-pattern')]: '.*Firefox.*',
    });
  });

  it('takes the last header listed, and drops the conditions of an earlier test', () => {
    const earlier = routedAnnotations(
      PREFIX,
      abTest([{ headers: { 'x-old': { exact: 'yes' }, cookie: { exact: 'old' } } }]),
      100,
      start,
    );
    const now = abTest([{ headers: { 'x-a': { exact: 'a' } } }, { headers: { 'x-b': { regex: 'b.*' } } }]);
    assert.deepEqual(routedAnnotations(PREFIX, now, 100, earlier), {
      note: 'kept',
      [key('canary')]: 'true',
      [key('canary-by-header')]: 'x-b',
      [key('canary-by-header-pattern')]: 'b.*',
    });
  });

  it('ends an A/B test at weight 0 with the canary switched off', () => {
    const test = abTest([{ headers: { 'x-canary': { exact: 'insider' } } }]);
    assert.deepEqual(routedAnnotations(PREFIX, test, 0, routedAnnotations(PREFIX, test, 100, start)), start);
  });
});

describe('readRoutes', () => {
  it('reads the weight, 0 when absent', () => {
    assert.deepEqual(readRoutes(PREFIX, canary(), { [key('canary-weight')]: '35' }), {
      primaryWeight: 65,
      canaryWeight: 35,
      mirrored: false,
    });
    assert.deepEqual(readRoutes(PREFIX, canary(), {}), {
      primaryWeight: 100,
      canaryWeight: 0,
      mirrored: false,
    });
  });

  it('rejects a weight that is not an integer', () => {
    assert.throws(
      () => readRoutes(PREFIX, canary(), { [key('canary-weight')]: '1.5' }),
      /failed to convert 1.5 to int/,
    );
  });

  it('reads an A/B test with header or cookie annotations as all on the canary', () => {
    const test = abTest([{ headers: { cookie: { exact: 'canary' } } }]);
    const routed = routedAnnotations(PREFIX, test, 100, {});
    assert.deepEqual(readRoutes(PREFIX, test, routed), {
      primaryWeight: 0,
      canaryWeight: 100,
      mirrored: false,
    });
    assert.deepEqual(readRoutes(PREFIX, test, disabledCanary(PREFIX, routed)), {
      primaryWeight: 100,
      canaryWeight: 0,
      mirrored: false,
    });
    assert.equal(readRoutes(PREFIX, canary(), routed).canaryWeight, 0);
  });
});

describe('toCanaryBackend', () => {
  it('points every path of the apex Service at the canary Service, and skips rules without http', () => {
    const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
    const spec = {
      rules: [
        {
          host: 'app.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('podinfo') }] },
        },
        {
          http: {
            paths: [
              { path: '/other', pathType: 'Prefix', backend: backend('other') },
              { path: '/api', pathType: 'Prefix', backend: backend('podinfo') },
            ],
          },
        },
        { host: 'no-http.example.com' },
      ],
    };
    assert.equal(toCanaryBackend(spec, 'podinfo', 'podinfo-canary'), true);
    const names = spec.rules.flatMap(rule => rule.http?.paths.map(path => path.backend.service.name) ?? []);
    assert.deepEqual(names, ['podinfo-canary', 'other', 'podinfo-canary']);
    assert.equal(
      toCanaryBackend({ rules: [{ http: { paths: [{ backend: backend('x') }] } }] }, 'podinfo', 'c'),
      false,
    );
  });
});
