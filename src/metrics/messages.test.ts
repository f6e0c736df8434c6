import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCanary } from '../api/canary.fixture.ts';
import {
  builtinNoValues,
  customMetricHalt,
  goFixed2,
  goFloat,
  requestDurationHalt,
  successRateHalt,
} from './messages.ts';

const CANARY = testCanary({
  spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-app' } },
});

describe('Flagger messages', () => {
  it('success rate', () => {
    assert.equal(
      successRateHalt(CANARY, 98.6912, { op: '<', limit: 99 }),
      'Halt podinfo.test advancement success rate 98.69% < 99%',
    );
    assert.equal(
      successRateHalt(CANARY, 100, { op: '>', limit: 99.5 }),
      'Halt podinfo.test advancement success rate 100.00% > 99.5%',
    );
  });

  it('request duration, formatted as Go durations', () => {
    assert.equal(
      requestDurationHalt(CANARY, 1515, { op: '>', limit: 500 }),
      'Halt podinfo.test advancement request duration 1.515s > 500ms',
    );
    assert.equal(
      requestDurationHalt(CANARY, 5, { op: '<', limit: 90_000 }),
      'Halt podinfo.test advancement request duration 5ms < 1m30s',
    );
  });

  it('custom metrics', () => {
    assert.equal(
      customMetricHalt(CANARY, '404s percentage', 7.1234, { op: '>', limit: 5 }),
      'Halt podinfo.test advancement 404s percentage 7.12 > 5',
    );
  });

  it('no values for a built-in metric names the target, with the error for the success rate only', () => {
    assert.equal(
      builtinNoValues(CANARY, 'istio', 'request-duration'),
      'Halt advancement no values found for istio metric request-duration probably podinfo-app.test is not ' +
        'receiving traffic',
    );
    assert.equal(
      builtinNoValues(CANARY, 'istio', 'request-success-rate', 'running query failed: no values found'),
      'Halt advancement no values found for istio metric request-success-rate probably podinfo-app.test is ' +
        'not receiving traffic: running query failed: no values found',
    );
  });
});

describe('goFixed2 (%.2f)', () => {
  const cases: [number, string][] = [
    [98.6912, '98.69'],
    [99, '99.00'],
    [0.125, '0.12'], // exact tie: Go rounds half to even, toFixed would give 0.13
    [0.375, '0.38'],
    [-0.125, '-0.12'],
    [2.675, '2.67'], // really 2.67499999...
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, text] of cases) it(`${value} → ${text}`, () => assert.equal(goFixed2(value), text));
});

describe('goFloat (%v)', () => {
  const cases: [number, string][] = [
    [99, '99'],
    [99.5, '99.5'],
    [0, '0'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
  ];
  for (const [value, text] of cases) it(`${value} → ${text}`, () => assert.equal(goFloat(value), text));
});
