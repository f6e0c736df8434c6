import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceNames } from '../api/defaults.ts';
import type { IngressSpec } from './canary-ingress.ts';
import {
  BACKEND_WEIGHTS_ANNOTATION as WEIGHTS,
  PREDICATE_ANNOTATION as PREDICATE,
  insertPredicate,
  readRoutes,
  reconciledAnnotations,
  routedAnnotations,
  toPrimaryAndCanary,
} from './skipper-layout.ts';

const names: ServiceNames = { apex: 'podinfo', primary: 'podinfo-primary', canary: 'podinfo-canary' };
const split = (primaryWeight: number, canaryWeight: number) => ({
  primaryWeight,
  canaryWeight,
  mirrored: false,
});

describe('toPrimaryAndCanary', () => {
  it('sends apex paths to the primary and appends a canary copy to each rule', () => {
    const path = (p: string, name: string) => ({
      path: p,
      pathType: 'Prefix',
      backend: { service: { name, port: { name: 'http' } } },
    });
    const spec: IngressSpec = {
      ingressClassName: 'skipper',
      rules: [
        {
          host: 'app.example.com',
          http: { paths: [path('/', 'podinfo'), path('/x', 'other'), path('/api', 'podinfo')] },
        },
        { host: 'no-http.example.com' },
      ],
    };
    assert.equal(toPrimaryAndCanary(spec, names), true);
    assert.deepEqual(spec, {
      ingressClassName: 'skipper',
      rules: [
        {
          host: 'app.example.com',
          http: {
            paths: [
              path('/', 'podinfo-primary'),
              path('/x', 'other'),
              path('/api', 'podinfo-primary'),
              path('/', 'podinfo-canary'),
              path('/api', 'podinfo-canary'),
            ],
          },
        },
        { host: 'no-http.example.com' },
      ],
    });
  });

  it('reports an Ingress without the apex Service', () => {
    const spec = { rules: [{ http: { paths: [{ backend: { service: { name: 'other' } } }] } }] };
    assert.equal(toPrimaryAndCanary(spec, names), false);
  });
});

describe('insertPredicate', () => {
  it("puts the router's predicate first, replacing its own earlier one", () => {
    assert.equal(insertPredicate(undefined, 'Weight(100)'), 'Weight(100)');
    assert.equal(
      insertPredicate('Host(/^app/) &&Method("GET")', 'Weight(100)'),
      'Weight(100) && Host(/^app/) && Method("GET")',
    );
    assert.equal(insertPredicate('Weight(100) && Host(/^app/)', 'False()'), 'False() && Host(/^app/)');
    assert.equal(insertPredicate('False() && Host(/^app/)', 'Weight(100)'), 'Weight(100) && Host(/^app/)');
  });
});

describe('annotations', () => {
  const user = { [PREDICATE]: 'Host(/^app/)', 'zalando.org/skipper-filter': 'compress()' };

  it('starts at 100/0 with the canary routes preferred, weights written as Go writes a map', () => {
    assert.deepEqual(reconciledAnnotations(user, undefined, names), {
      'zalando.org/skipper-filter': 'compress()',
      [WEIGHTS]: '{"podinfo-canary":0,"podinfo-primary":100}',
      [PREDICATE]: 'Weight(100) && Host(/^app/)',
    });
  });

  it('moves the weights, and switches the canary routes off at weight 0', () => {
    const start = reconciledAnnotations(user, undefined, names);
    const running = routedAnnotations(start, names, split(70, 30));
    assert.equal(running[WEIGHTS], '{"podinfo-canary":30,"podinfo-primary":70}');
    assert.equal(running[PREDICATE], 'Weight(100) && Host(/^app/)');
    const done = routedAnnotations(running, names, split(100, 0));
    assert.equal(done[PREDICATE], 'False() && Host(/^app/)');
    assert.deepEqual(readRoutes(running, names), split(70, 30));
    assert.deepEqual(readRoutes(done, names), split(100, 0));
  });

  it("keeps the split and the predicate on reconcile, following the user's other annotations", () => {
    const done = routedAnnotations(reconciledAnnotations(user, undefined, names), names, split(100, 0));
    const changed = { [PREDICATE]: 'Host(/^new/)' };
    assert.deepEqual(reconciledAnnotations(changed, done, names), {
      [WEIGHTS]: done[WEIGHTS],
      [PREDICATE]: 'False() && Host(/^new/)',
    });
    const running = routedAnnotations(done, names, split(40, 60));
    assert.deepEqual(readRoutes(reconciledAnnotations(changed, running, names), names), split(40, 60));
  });

  it('rejects missing, malformed or incomplete weights', () => {
    assert.throws(() => readRoutes({}, names), /zalando.org\/backend-weights not found/);
    assert.throws(() => readRoutes({ [WEIGHTS]: '{' }, names), /not valid JSON/);
    assert.throws(
      () => readRoutes({ [WEIGHTS]: '{"podinfo-primary":100}' }, names),
      /no integer weight for podinfo-canary/,
    );
    assert.throws(
      () => readRoutes({ [WEIGHTS]: '{"podinfo-primary":99.5,"podinfo-canary":0.5}' }, names),
      /no integer weight for podinfo-primary/,
    );
  });
});
