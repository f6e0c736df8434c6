import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodTemplateSpec } from '../kube/types.ts';
import { primaryPodTemplate, samePodTemplate, type PrimaryTemplateOptions } from './primary-template.ts';

const options: PrimaryTemplateOptions = {
  targetName: 'podinfo',
  labelKey: 'app',
  labelValue: 'podinfo',
  selectorLabels: ['app', 'name', 'app.kubernetes.io/name'],
  trackedConfigs: new Set(['configmap/settings', 'secret/creds']),
  flaggerId: 'id-1',
};

function template(spec: Partial<NonNullable<PodTemplateSpec['spec']>> = {}): PodTemplateSpec {
  return {
    metadata: {
      labels: { app: 'podinfo', team: 'a', 'kustomize.toolkit.fluxcd.io/name': 'apps' },
      annotations: { 'prometheus.io/scrape': 'true', 'flagger-id': 'old', 'helm.toolkit.fluxcd.io/x': 'y' },
    },
    spec: { containers: [{ name: 'app', image: 'podinfo:1' }], ...spec },
  };
}

describe('primaryPodTemplate', () => {
  it('sets the primary selector value, drops Flux keys and renews flagger-id', () => {
    const result = primaryPodTemplate(template(), options);
    assert.deepEqual(result.metadata, {
      labels: { app: 'podinfo-primary', team: 'a' },
      annotations: { 'prometheus.io/scrape': 'true', 'flagger-id': 'id-1' },
    });
  });

  it('renames tracked configs in volumes, projected sources, env and envFrom of all containers', () => {
    const container = (name: string) => ({
      name,
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'a' } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 'creds', key: 'b' } } },
        { name: 'C', valueFrom: { configMapKeyRef: { name: 'untracked', key: 'c' } } },
      ],
      envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds' } }],
    });
    const result = primaryPodTemplate(
      template({
        containers: [container('app')],
        initContainers: [container('init')],
        volumes: [
          { name: 'v1', configMap: { name: 'settings' } },
          { name: 'v2', secret: { secretName: 'creds' } },
          { name: 'v3', configMap: { name: 'untracked' } },
          {
            name: 'v4',
            projected: { sources: [{ configMap: { name: 'settings' } }, { secret: { name: 'creds' } }] },
          },
        ],
      }),
      options,
    );
    const spec = result.spec!;
    const volumes = spec.volumes ?? [];
    assert.deepEqual(
      volumes.map(v => v.configMap?.name ?? v.secret?.secretName),
      ['settings-primary', 'creds-primary', 'untracked', undefined],
    );
    assert.deepEqual(
      volumes[3]?.projected?.sources?.map(s => s.configMap?.name ?? s.secret?.name),
      ['settings-primary', 'creds-primary'],
    );
    for (const c of [...spec.containers, ...spec.initContainers!]) {
      assert.deepEqual(
        c.env?.map(e => e.valueFrom?.configMapKeyRef?.name ?? e.valueFrom?.secretKeyRef?.name),
        ['settings-primary', 'creds-primary', 'untracked'],
      );
      assert.deepEqual(
        c.envFrom?.map(e => e.configMapRef?.name ?? e.secretRef?.name),
        ['settings-primary', 'creds-primary'],
      );
    }
  });

  it('points topology spread and pod anti-affinity selectors at the primary', () => {
    const selector = () => ({
      matchLabels: { app: 'podinfo', other: 'podinfo' },
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['x', 'podinfo', 'podinfo'] },
        { key: 'zone', operator: 'In', values: ['podinfo'] },
      ],
    });
    const result = primaryPodTemplate(
      template({
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: selector() },
        ],
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'host', labelSelector: selector() },
            ],
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 1, podAffinityTerm: { topologyKey: 'host', labelSelector: selector() } },
            ],
          },
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'host', labelSelector: selector() },
            ],
          },
        },
      }),
      options,
    );
    const expected = {
      matchLabels: { app: 'podinfo-primary', other: 'podinfo' },
      matchExpressions: [
        // Only the first matching value, and only for selector-label keys, as Flagger.
        { key: 'app', operator: 'In', values: ['x', 'podinfo-primary', 'podinfo'] },
        { key: 'zone', operator: 'In', values: ['podinfo'] },
      ],
    };
    const spec = result.spec!;
    assert.deepEqual(spec.topologySpreadConstraints?.[0]?.labelSelector, expected);
    const anti = spec.affinity?.podAntiAffinity;
    assert.deepEqual(anti?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.labelSelector, expected);
    assert.deepEqual(
      anti.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm.labelSelector,
      expected,
    );
    // Pod affinity (not anti-affinity) is left alone.
    assert.deepEqual(
      spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.labelSelector,
      selector(),
    );
  });

  it('does not change its input', () => {
    const input = template({ volumes: [{ name: 'v', configMap: { name: 'settings' } }] });
    const before = structuredClone(input);
    primaryPodTemplate(input, options);
    assert.deepEqual(input, before);
  });
});

describe('samePodTemplate', () => {
  it('ignores flagger-id but nothing else', () => {
    const a = primaryPodTemplate(template(), options);
    const b = primaryPodTemplate(template(), { ...options, flaggerId: 'id-2' });
    assert.equal(samePodTemplate(a, b), true);
    const c = primaryPodTemplate(template({ containers: [{ name: 'app', image: 'podinfo:2' }] }), options);
    assert.equal(samePodTemplate(a, c), false);
  });
});
