import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prunedFields, structuralViolations } from './schema-audit.ts';

describe('structuralViolations', () => {
  it('accepts a structural schema', () => {
    const schema = {
      type: 'object',
      required: ['a'],
      oneOf: [{ required: ['a'] }, { properties: { b: { not: { required: ['c'] } } } }],
      properties: {
        a: { type: 'string', enum: ['x'] },
        b: { type: 'object', properties: { c: { type: 'string' } } },
        port: { 'x-kubernetes-int-or-string': true },
        map: { type: 'object', additionalProperties: { type: 'array', items: { type: 'integer' } } },
      },
    };
    assert.deepEqual(structuralViolations(schema), []);
  });

  const broken: [string, object, string][] = [
    [
      'a node without type',
      { type: 'object', properties: { a: { description: 'x' } } },
      '.properties.a: no type',
    ],
    ['an item without type', { type: 'array', items: {} }, '.items: no type'],
    [
      'properties with additionalProperties',
      { type: 'object', properties: {}, additionalProperties: { type: 'string' } },
      ': properties and additionalProperties together',
    ],
    ['const', { type: 'string', const: 'a' }, ': uses const'],
    [
      '$ref',
      { type: 'object', properties: { a: { type: 'string', $ref: '#/x' } } },
      '.properties.a: uses $ref',
    ],
    ['patternProperties', { type: 'object', patternProperties: {} }, ': uses patternProperties'],
    ['CEL', { type: 'object', 'x-kubernetes-validations': [] }, ': uses x-kubernetes-validations'],
    [
      'an empty-string default',
      { type: 'string', default: '' },
      ': empty-string default (rejected by Kubernetes 1.20)',
    ],
    ['a type in a junctor', { type: 'object', anyOf: [{ type: 'string' }] }, '.anyOf[0]: type in a junctor'],
    [
      'an undeclared property in a junctor',
      { type: 'object', oneOf: [{ properties: { z: { required: ['a'] } } }] },
      '.oneOf[0]: property z is not declared outside the junctor',
    ],
    [
      'a default in a nested junctor',
      { type: 'object', properties: { a: { type: 'string' } }, not: { properties: { a: { default: 'x' } } } },
      '.not.properties.a: default in a junctor',
    ],
  ];
  for (const [name, schema, violation] of broken) {
    it(`reports ${name}`, () => assert.deepEqual(structuralViolations(schema), [violation]));
  }
});

describe('prunedFields', () => {
  const schema = {
    type: 'object',
    properties: {
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: {
          list: { type: 'array', items: { type: 'object', properties: { keep: { type: 'string' } } } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          bare: { type: 'object' },
          port: { 'x-kubernetes-int-or-string': true },
        },
      },
    },
  };

  it('keeps declared fields, map entries and root metadata', () => {
    const object = {
      metadata: { name: 'x', anything: { goes: true } },
      spec: { list: [{ keep: 'a' }], labels: { a: 'b' }, port: 'http' },
    };
    assert.deepEqual(prunedFields(object, schema), []);
  });

  it('reports undeclared fields with their paths', () => {
    const object = {
      kind: 'X',
      spec: { list: [{ keep: 'a' }, { drop: 1 }], bare: { gone: 1 }, extra: {} },
    };
    assert.deepEqual(prunedFields(object, schema), [
      'kind',
      'spec.list[1].drop',
      'spec.bare.gone',
      'spec.extra',
    ]);
  });
});
