// The upstream CRDs of the meshes and ingresses we route (shared/compat/crds beside the repository, see its
// README), as published, and as the test control plane (Kubernetes 1.20) can install them. The tests read them
// from there rather than from copies, so that they validate and prune exactly as the projects' own schemas do.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeObject } from '../../src/kube/types.ts';

/** A CRD as far as these helpers read it. */
export interface Crd extends KubeObject {
  spec: {
    group: string;
    names: { kind: string };
    versions: CrdVersion[];
    [field: string]: unknown;
  };
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema: unknown };
  [field: string]: unknown;
}

const UPSTREAM_DIR = new URL('../../../shared/compat/crds/', import.meta.url);

/**
 * The text of shared/compat/crds/<file>. A missing folder is an error, never a skip: without it these tests
 * would check nothing. CI lays shared/ beside the clone, as it is beside the working tree.
 */
export function upstreamFile(file: string): string {
  const url = new URL(file, UPSTREAM_DIR);
  if (!existsSync(url)) {
    throw new Error(
      `${fileURLToPath(url)} not found: the router tests need the upstream CRDs of shared/compat/crds ` +
        `beside the repository (<repo>/../shared)`,
    );
  }
  return readFileSync(url, 'utf8');
}

/** The CRDs of shared/compat/crds/<file> as published (other kinds in the file left out), or those named. */
export function upstreamCrds(file: string, names?: readonly string[]): Crd[] {
  const crds = parseAllDocuments(upstreamFile(file))
    .map(document => document.toJS() as KubeObject | null)
    .filter((object): object is Crd => object?.kind === 'CustomResourceDefinition');
  if (names === undefined) return crds;
  return names.map(name => {
    const crd = crds.find(candidate => candidate.metadata?.name === name);
    if (crd === undefined) throw new Error(`${file} has no CRD ${name}`);
    return crd;
  });
}

/**
 * `crd` as Kubernetes 1.20 accepts it, and its objects as a current cluster does:
 * - without CEL rules (`x-kubernetes-validations`, served from 1.25), which 1.20's server-side apply refuses as a
 *   field its CustomResourceDefinition schema lacks; the unit tests (src/routers/schemas-*.test.ts) check the
 *   Gateway API rules a generated route can hit;
 * - without empty-string defaults, which 1.20 refuses ("must not be empty");
 * - with the string fields that take "" nullable: 1.20's validator takes an empty string for null and refuses it in
 *   a field that is not ("must be of type string: null"), where current servers store it (Gateway API's
 *   backendRef group "", which Flagger writes). A null, which no router writes, is then kept where current
 *   servers drop it.
 * Nothing else of the schemas changes.
 */
export function forKubernetes120(crd: Crd): Crd {
  const ready = stripped(crd) as Crd;
  const legacy = ready.spec as { validation?: { openAPIV3Schema?: unknown } };
  const versions = ready.spec.versions.map(version =>
    version.schema
      ? { ...version, schema: { openAPIV3Schema: nullableStrings(version.schema.openAPIV3Schema) } }
      : version,
  );
  const validation = legacy.validation?.openAPIV3Schema;
  return {
    ...ready,
    spec: {
      ...ready.spec,
      versions,
      ...(validation === undefined ? {} : { validation: { openAPIV3Schema: nullableStrings(validation) } }),
    },
  };
}

function stripped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripped);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, child]) => key !== 'x-kubernetes-validations' && !(key === 'default' && child === ''))
      .map(([key, child]) => [key, stripped(child)]),
  );
}

/**
 * The string fields of a schema that take an empty string made nullable, along the fields it declares (junctors
 * may not say nullable). 1.20 forbids nullable on the items of a list with a list type and on its map keys.
 */
function nullableStrings(schema: unknown, forbidden = false, mapKeys: string[] = []): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const node: Record<string, unknown> = { ...schema };
  if (!forbidden && takesEmptyString(node)) node.nullable = true;
  if (typeof node.properties === 'object' && node.properties !== null) {
    node.properties = Object.fromEntries(
      Object.entries(node.properties).map(([name, child]) => [
        name,
        nullableStrings(child, mapKeys.includes(name)),
      ]),
    );
  }
  if ('additionalProperties' in node) node.additionalProperties = nullableStrings(node.additionalProperties);
  if ('items' in node) {
    const listed = node['x-kubernetes-list-type'] !== undefined;
    node.items = nullableStrings(node.items, listed, asStrings(node['x-kubernetes-list-map-keys']));
  }
  return node;
}

/** A string schema that a current API server accepts "" for. */
function takesEmptyString(node: Record<string, unknown>): boolean {
  if (node.type !== 'string' || (typeof node.minLength === 'number' && node.minLength > 0)) return false;
  if (Array.isArray(node.enum) && !node.enum.includes('')) return false;
  if (typeof node.pattern !== 'string') return true;
  try {
    return new RegExp(node.pattern).test('');
  } catch {
    return false;
  }
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The upstream CRDs of the kinds each router writes or reads, by the name the router tests know them. */
export const UPSTREAM_CRD_SETS = {
  apisix: () => upstreamCrds('apisix.yaml'),
  // The current App Mesh controller's CRDs: appmesh.k8s.aws/v1beta2 only (provider appmesh:v1beta2).
  appmesh: () => upstreamCrds('appmesh-v1beta2.yaml'),
  // The legacy controller's CRDs (provider appmesh): the same names, so a cluster has one set or the other.
  'appmesh-v1beta1': () => upstreamCrds('appmesh-v1beta1-all.yaml'),
  contour: () => upstreamCrds('contour.yaml', ['httpproxies.projectcontour.io']),
  // The standard channel, which is what a cluster has unless it opts into experimental fields.
  gatewayapi: () => upstreamCrds('gateway-api-httproutes-standard.yaml'),
  gloo: () => upstreamCrds('gloo.yaml'),
  istio: () =>
    upstreamCrds('istio-crd-all.gen.yaml', [
      'virtualservices.networking.istio.io',
      'destinationrules.networking.istio.io',
    ]),
  kuma: () => upstreamCrds('kuma.yaml'),
  smi: smiTrafficSplits,
} satisfies Record<string, () => Crd[]>;

export type UpstreamCrdSet = keyof typeof UPSTREAM_CRD_SETS;

/**
 * One TrafficSplit CRD for the three SMI versions Flagger writes: linkerd-smi's (v1alpha1 stored, v1alpha2;
 * providers linkerd, osm, smi:v1alpha1|2) serving v1alpha3 too, with smi-sdk-go's schema of it (provider
 * smi:v1alpha3; smi-sdk-go served and stored v1alpha3 alone until v1alpha4, whose CRD no longer serves it).
 * Objects are stored as v1alpha1, whose schema keeps all that v1alpha3's does but `matches`, which we never write.
 */
function smiTrafficSplits(): Crd[] {
  const [linkerd] = upstreamCrds('linkerd-smi.yaml', ['trafficsplits.split.smi-spec.io']);
  const [smi] = upstreamCrds('smi.yaml', ['trafficsplits.split.smi-spec.io']);
  const v1alpha3 = smi?.spec.versions.find(version => version.name === 'v1alpha3');
  if (linkerd === undefined || v1alpha3 === undefined)
    throw new Error('no TrafficSplit v1alpha3 in smi.yaml');
  const versions = [...linkerd.spec.versions, { ...v1alpha3, served: true, storage: false }];
  return [{ ...linkerd, spec: { ...linkerd.spec, versions } }];
}

/**
 * src/playground/crds/istio.yaml, which scripts/gen-playground-crds.ts writes: the demo's cluster runs without
 * shared/, so it has a copy of Istio's VirtualService and DestinationRule CRDs as Kubernetes 1.20 takes them.
 * Their three versions have one schema, written once (a YAML alias).
 */
export function playgroundIstioCrdsYaml(): string {
  const crds = UPSTREAM_CRD_SETS.istio().map(crd => {
    const ready = forKubernetes120(crd);
    const first = ready.spec.versions[0]?.schema;
    const same = JSON.stringify(first);
    const versions = ready.spec.versions.map(version =>
      JSON.stringify(version.schema) === same ? { ...version, schema: first } : version,
    );
    return { ...ready, spec: { ...ready.spec, versions } };
  });
  const header = [
    '# Generated by scripts/gen-playground-crds.ts (npm run gen:playground-crds): do not edit.',
    "# Istio's VirtualService and DestinationRule CRDs from shared/compat/crds/istio-crd-all.gen.yaml (see its",
    '# README for the version), without what Kubernetes 1.20 cannot read (test/harness/upstream-crds.ts',
    "# forKubernetes120): the kinds the Istio router writes and the demo's data plane reads.",
  ];
  return `${header.join('\n')}\n${crds.map(crd => stringify(crd, { lineWidth: 0 })).join('---\n')}`;
}
