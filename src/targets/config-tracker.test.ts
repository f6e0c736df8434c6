import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changedConfig, scanConfigRefs } from './config-tracker.ts';

describe('scanConfigRefs', () => {
  it('finds every ConfigMap and Secret once, in all containers and volumes', () => {
    const refs = scanConfigRefs({
      volumes: [
        { name: 'a', configMap: { name: 'cm-volume' } },
        { name: 'b', secret: { secretName: 'secret-volume' } },
        {
          name: 'c',
          projected: {
            sources: [{ configMap: { name: 'cm-projected' } }, { secret: { name: 's-projected' } }],
          },
        },
        { name: 'd', emptyDir: {} },
      ],
      containers: [
        {
          name: 'app',
          env: [
            { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm-env', key: 'a' } } },
            { name: 'B', valueFrom: { secretKeyRef: { name: 'secret-volume', key: 'b' } } },
            { name: 'C', value: 'plain' },
          ],
        },
      ],
      initContainers: [
        { name: 'init', envFrom: [{ configMapRef: { name: 'cm-init' } }, { secretRef: { name: 's-init' } }] },
      ],
    });
    assert.deepEqual(
      refs.map(r => `${r.kind}/${r.name}`),
      [
        'configmap/cm-volume',
        'secret/secret-volume',
        'configmap/cm-projected',
        'secret/s-projected',
        'configmap/cm-env',
        'configmap/cm-init',
        'secret/s-init',
      ],
    );
  });

  it('treats an object as optional only when every reference to it is optional', () => {
    const refs = scanConfigRefs({
      volumes: [
        { name: 'a', configMap: { name: 'both', optional: true } },
        { name: 'b', configMap: { name: 'optional', optional: true } },
        { name: 'c', configMap: { name: 'plain' } },
      ],
      containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'both', optional: false } }] }],
    });
    assert.deepEqual(
      refs.map(r => [r.name, r.required]),
      [
        ['both', true],
        ['optional', false],
        ['plain', true],
      ],
    );
  });
});

describe('changedConfig', () => {
  it('compares counts and checksums with status.trackedConfigs', () => {
    const current = { 'configmap/a': '1', 'secret/b': '2' };
    assert.deepEqual(changedConfig({}, undefined), { changed: false });
    assert.deepEqual(changedConfig(current, undefined), { changed: true });
    assert.deepEqual(changedConfig({}, {}), { changed: false });
    assert.deepEqual(changedConfig(current, { 'configmap/a': '1' }), { changed: true });
    assert.deepEqual(changedConfig(current, { 'configmap/a': '1', 'secret/b': '2' }), { changed: false });
    assert.deepEqual(changedConfig(current, { 'configmap/a': '1', 'secret/b': '3' }), {
      changed: true,
      key: 'secret/b',
    });
  });
});
