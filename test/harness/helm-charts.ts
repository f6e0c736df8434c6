// The Helm charts of deploy/charts rendered by the program of scripts/setup-helm-renderer.sh (`helm template`'s
// arguments; FLAGGER_HELM may name a real helm), and the objects of a rendering as tests look at them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { parseFlags, type Flags } from '../../src/cli/flags.ts';
import type { Deployment, KubeObject } from '../../src/kube/types.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const exec = promisify(execFile);

export interface Rendering {
  objects: KubeObject[];
  file: string;
}

export const parseManifests = (text: string) =>
  parseAllDocuments(text)
    .map(d => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);

/** `helm template` of the charts, each rendering and its values kept in files under work. */
export class ChartRenderer {
  private counter = 0;
  private helm: Promise<string> | undefined;

  private readonly work: string;
  private readonly kubeVersion: string;

  constructor(work: string, kubeVersion: string) {
    this.work = work;
    this.kubeVersion = kubeVersion;
  }

  /** `helm template` of deploy/charts/<chart> into namespace, with a values file and more arguments. */
  async render(chart: string, namespace: string, values: object = {}, ...args: string[]): Promise<Rendering> {
    const stdout = await this.template(join(ROOT, 'deploy/charts', chart), namespace, values, args);
    const file = join(this.work, `rendering-${this.counter}.yaml`);
    writeFileSync(file, stdout);
    return { objects: parseManifests(stdout), file };
  }

  /**
   * The flagger chart's NOTES.txt as Helm prints it after an install. `helm template` leaves NOTES.txt out, so a
   * copy of the chart gets one more template that includes it (Helm parses NOTES.txt with the other templates).
   */
  async notes(namespace: string, values: object = {}, ...args: string[]): Promise<string> {
    const chart = join(this.work, 'flagger-with-notes');
    if (!existsSync(chart)) {
      cpSync(join(ROOT, 'deploy/charts/flagger'), chart, { recursive: true });
      const notes = '{{ include "flagger/templates/NOTES.txt" . | toJson }}';
      const probe = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: ${notes}\n`;
      writeFileSync(join(chart, 'templates/notes-probe.yaml'), probe);
    }
    const objects = parseManifests(await this.template(chart, namespace, values, args));
    const probe = objects.find(o => o.kind === 'ConfigMap') as { data?: { notes?: string } } | undefined;
    return probe?.data?.notes ?? '';
  }

  private async template(dir: string, namespace: string, values: object, args: string[]): Promise<string> {
    this.helm ??= exec('bash', [join(ROOT, 'scripts/setup-helm-renderer.sh')]).then(r => r.stdout.trim());
    const helm = await this.helm;
    const valuesFile = join(this.work, `values-${++this.counter}.yaml`);
    writeFileSync(valuesFile, JSON.stringify(values));
    const release = dir.endsWith('loadtester') ? 'flagger-loadtester' : 'flagger';
    const { stdout } = await exec(helm, [
      'template',
      release,
      dir,
      ...['-n', namespace, '--kube-version', this.kubeVersion, '-f', valuesFile, ...args],
    ]);
    return stdout;
  }
}

/** A CRD that serves one kind and keeps every field: the API server then admits the charts' objects of it. */
export function standIn(group: string, version: string, kind: string): KubeObject {
  const plural = `${kind.toLowerCase()}s`;
  const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: version, served: true, storage: true, schema }],
    },
  } as KubeObject;
}

export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.filter(o => o.kind === kind && o.metadata?.name === name);
  assert.equal(found.length, 1, `one ${kind} ${name} in ${objects.map(o => o.kind).join(', ')}`);
  return found[0]!;
}

export function container(objects: readonly KubeObject[], name = 'flagger') {
  const pod = (find(objects, 'Deployment', name) as Deployment).spec!.template;
  return { pod, container: pod.spec!.containers[0]! };
}

/** The controller's flags as the rendered Deployment passes them: the controller must accept every one. */
export function flagsOf(objects: readonly KubeObject[], name = 'flagger'): { args: string[]; flags: Flags } {
  const args = container(objects, name).container.args ?? [];
  return { args, flags: parseFlags(args, {}) };
}

export const kinds = (r: Rendering) => r.objects.map(o => `${o.kind}/${o.metadata?.name}`);
