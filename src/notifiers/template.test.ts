import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCanary } from '../api/canary.fixture.ts';
import { applyTemplate, messageModel, renderMessage, type MessageModel } from './template.ts';

const canary = testCanary({
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo-app' },
    analysis: { threshold: 5, stepWeight: 10 },
  },
  status: { phase: 'Progressing', canaryWeight: 30, failedChecks: 2 },
});

const model: MessageModel = messageModel(canary, 'Advance podinfo.test canary weight 30', 'info');

describe('messageModel', () => {
  it('reads the canary and its status', () => {
    assert.deepEqual(model, {
      name: 'podinfo',
      namespace: 'test',
      phase: 'Progressing',
      target: 'podinfo-app',
      weight: '30',
      failedChecks: '2',
      message: 'Advance podinfo.test canary weight 30',
      severity: 'info',
    });
  });

  it('has zeroes and an empty phase before the first status', () => {
    const fresh = messageModel({ ...canary, status: undefined }, 'm', 'warn');
    assert.equal(fresh.phase, '');
    assert.equal(fresh.weight, '0');
    assert.equal(fresh.failedChecks, '0');
  });
});

describe('renderMessage', () => {
  const cases: [string, string, string][] = [
    ['plain text', 'no actions', 'no actions'],
    [
      'every variable',
      '{{ name }}.{{namespace}} {{ phase }} {{ target }} {{ weight }}% {{ failedChecks }} [{{ severity }}] {{ message }}',
      'podinfo.test Progressing podinfo-app 30% 2 [info] Advance podinfo.test canary weight 30',
    ],
    ['trim markers', '{{ name -}}  \n x \n {{- name }}', 'podinfoxpodinfo'],
    ['left trim', 'a   {{- name }}', 'apodinfo'],
    ['right trim', '{{ name -}}   b', 'podinfob'],
    ['comment', 'x{{/* ignored }} */}}y', 'xy'],
    ['a lone brace', '{ name } }}', '{ name } }}'],
  ];
  for (const [what, template, expected] of cases) {
    it(what, () => assert.equal(renderMessage(template, model), expected));
  }

  const errors: [string, string, RegExp][] = [
    ['unknown variable', 'x {{ canaryWeight }}', /template: message:1: function "canaryWeight" not defined$/],
    ['unclosed action', 'line\n{{ name', /template: message:2: unclosed action$/],
    ['Go field syntax', '{{ .Name }}', /unsupported action "\{\{ \.Name \}\}"/],
    ['a pipeline', '{{ name | upper }}', /unsupported action/],
    ['an empty action', '{{ }}', /missing value for command/],
    ['an unclosed comment', '{{/* x }}', /unclosed action/],
  ];
  for (const [what, template, expected] of errors) {
    it(`fails on ${what}`, () => assert.throws(() => renderMessage(template, model), expected));
  }
});

describe('applyTemplate', () => {
  it('sends the default message without a template', () => {
    assert.deepEqual(applyTemplate(undefined, model), { message: model.message });
    assert.deepEqual(applyTemplate('', model), { message: model.message });
  });

  it('sends the rendered template', () => {
    assert.deepEqual(applyTemplate(':rocket: {{ message }}', model), {
      message: ':rocket: Advance podinfo.test canary weight 30',
    });
  });

  it('falls back to the default message and returns the error', () => {
    const result = applyTemplate('{{ nope }}', model);
    assert.equal(result.message, model.message);
    assert.match(result.error?.message ?? '', /function "nope" not defined/);
  });
});
