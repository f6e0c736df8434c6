import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCanary } from '../api/canary.fixture.ts';
import { queryModel, renderQuery, type QueryModel } from './render.ts';

const MODEL: QueryModel = {
  name: 'podinfo',
  namespace: 'test',
  target: 'podinfo-deploy',
  service: 'podinfo-svc',
  ingress: 'podinfo-ing',
  route: 'podinfo-route',
  interval: '30s',
  variables: { direction: 'inbound', code: '5.*' },
};

describe('renderQuery', () => {
  it('fills every template function', () => {
    const text =
      '{{ name }}|{{ namespace }}|{{ target }}|{{ service }}|{{ ingress }}|{{ route }}|{{ interval }}|' +
      '{{ variables.direction }}';
    assert.equal(
      renderQuery(text, MODEL),
      'podinfo|test|podinfo-deploy|podinfo-svc|podinfo-ing|podinfo-route|30s|inbound',
    );
  });

  it('accepts Go spacing variants', () => {
    for (const text of ['{{name}}', '{{ name}}', '{{name }}', '{{\tname\n}}']) {
      assert.equal(renderQuery(text, MODEL), 'podinfo', text);
    }
    assert.equal(renderQuery('{{variables.code}}', MODEL), '5.*');
  });

  it('trims whitespace around {{- and -}} like Go', () => {
    assert.equal(renderQuery('a  \n {{- name -}} \n  b', MODEL), 'apodinfob');
    assert.equal(renderQuery('a {{- name }} b', MODEL), 'apodinfo b');
    assert.equal(renderQuery('a {{ name -}} b', MODEL), 'a podinfob');
  });

  it('drops comments', () => {
    assert.equal(renderQuery('x{{/* a comment */}}y', MODEL), 'xy');
    assert.equal(renderQuery('x {{- /* trimmed */ -}} y', MODEL), 'xy');
  });

  it('leaves text without actions untouched, PromQL braces included', () => {
    const text = 'sum(rate(http_requests_total{code=~"5.."}[1m])) by (pod)';
    assert.equal(renderQuery(text, MODEL), text);
  });

  it('prints the variables map like Go', () => {
    assert.equal(renderQuery('{{ variables }}', MODEL), 'map[code:5.* direction:inbound]');
  });

  it('names a missing variable (missingkey=error)', () => {
    assert.throws(
      () => renderQuery('rate(x{dir="{{ variables.dir }}"}[1m])', MODEL),
      (err: Error) => {
        assert.match(err.message, /^template excution failed: /);
        assert.match(err.message, /map has no entry for key "dir"/);
        assert.match(err.message, /at <variables\.dir>/);
        return true;
      },
    );
  });

  it('reports the line and column of a missing variable', () => {
    assert.throws(() => renderQuery('a\n  {{ variables.x }}', MODEL), /tmpl:2:14: executing "tmpl"/);
  });

  it('rejects unknown functions at parse time, naming them', () => {
    assert.throws(
      () => renderQuery('ok {{ name }} {{ workload }}', MODEL),
      /^Error: template parsing failed: template: tmpl:1: function "workload" not defined$/,
    );
  });

  it('rejects a field on a string value', () => {
    assert.throws(() => renderQuery('{{ name.first }}', MODEL), /can't evaluate field first in type string/);
  });

  it('rejects unclosed, empty and unsupported actions', () => {
    assert.throws(() => renderQuery('x\n{{ name', MODEL), /tmpl:2: unclosed action/);
    assert.throws(() => renderQuery('{{ }}', MODEL), /missing value for command/);
    assert.throws(() => renderQuery('{{ printf "%s" name }}', MODEL), /unsupported action/);
  });
});

describe('queryModel', () => {
  it('defaults service, ingress and route to the target, and the interval to 1m', () => {
    assert.deepEqual(queryModel(testCanary(), { interval: '' }), {
      name: 'podinfo',
      namespace: 'test',
      target: 'podinfo',
      service: 'podinfo',
      ingress: 'podinfo',
      route: 'podinfo',
      interval: '1m',
      variables: {},
    });
  });

  it('reads service.name, ingressRef, routeRef, the interval and templateVariables', () => {
    const model = queryModel(
      testCanary({
        spec: {
          service: { port: 80, name: 'frontend' },
          ingressRef: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web' },
          routeRef: { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'route' },
        },
      }),
      { interval: '2m', templateVariables: { a: 'b' } },
    );
    assert.equal(model.service, 'frontend');
    assert.equal(model.ingress, 'web');
    assert.equal(model.route, 'route');
    assert.equal(model.interval, '2m');
    assert.deepEqual(model.variables, { a: 'b' });
  });
});
