// The ClusterIP Services Flagger generates (pkg/router/kubernetes_default.go), as pure functions: what a
// Service should look like, and how an existing one is brought up to date without taking more than Flagger
// takes from Services it did not create.
import type { Canary, CanaryService } from '../api/canary.ts';
import { serviceNames, servicePortName, serviceTargetPort } from '../api/defaults.ts';
import type { Service } from '../kube/types.ts';
import type { TargetMetadata } from '../targets/types.ts';
import { canonicalJson } from '../util/hash.ts';
import { withFluxAnnotations } from '../api/generated-objects.ts';
import { semanticallyEqual } from './semantic-equal.ts';

export type ServiceSpec = NonNullable<Service['spec']>;
export type ServicePort = NonNullable<ServiceSpec['ports']>[number];

/** Which of the three Services: it decides the name and which of service.apex/primary/canary applies. */
export type ServiceRole = 'apex' | 'primary' | 'canary';

export interface DesiredService {
  name: string;
  spec: ServiceSpec;
  labels: Record<string, string>;
  /** Including the Flux annotations. */
  annotations: Record<string, string>;
}

/** canary.spec.service, which every router needs. */
export function requireService(canary: Canary): CanaryService {
  const service = canary.spec.service;
  if (service === undefined) {
    throw new Error(
      `canary ${canary.metadata.name ?? ''}.${canary.metadata.namespace ?? ''} has no spec.service`,
    );
  }
  return service;
}

/** The Service `role` selecting pods whose `metadata.labelKey` label is `selectorValue`. */
export function desiredService(
  canary: Canary,
  role: ServiceRole,
  selectorValue: string,
  metadata: TargetMetadata,
): DesiredService {
  const service = requireService(canary);
  const name = serviceNames(canary.spec)[role];
  const main: ServicePort = {
    name: servicePortName(service),
    protocol: 'TCP',
    port: service.port,
    targetPort: serviceTargetPort(service),
    ...(service.appProtocol ? { appProtocol: service.appProtocol } : {}),
  };
  const discovered = metadata.ports.map(p => ({
    name: p.name,
    protocol: 'TCP',
    port: p.port,
    targetPort: p.port,
  }));
  const spec: ServiceSpec = {
    type: 'ClusterIP',
    selector: { [metadata.labelKey]: selectorValue },
    ports: [main, ...discovered],
    ...(service.headless === true ? { clusterIP: 'None' } : {}),
    ...(service.trafficDistribution ? { trafficDistribution: service.trafficDistribution } : {}),
  };
  const custom = service[role];
  return {
    name,
    spec,
    labels: { ...custom?.labels, [metadata.labelKey]: name },
    annotations: withFluxAnnotations(custom?.annotations),
  };
}

/** A new Service for `desired`; the caller adds the owner reference. */
export function newService(desired: DesiredService, namespace: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: desired.name, namespace, labels: desired.labels, annotations: desired.annotations },
    spec: desired.spec,
  };
}

export interface ServiceUpdateOptions {
  /** The Service is controlled by this Canary: only then are its labels and annotations managed. */
  owned: boolean;
  /** service.unmanagedMetadata: keys whose current values are kept on owned Services. */
  unmanaged: CanaryService['unmanagedMetadata'];
}

/**
 * Brings `current` up to `desired` in place; false when nothing changed. Ports, selector and traffic
 * distribution follow the canary; existing node ports are kept; labels and annotations are replaced only on
 * owned Services (keeping the unmanaged keys); any write also adds the Flux annotations. The cluster IP
 * (headless) is immutable and only set at creation.
 */
export function updateService(
  current: Service,
  desired: DesiredService,
  options: ServiceUpdateOptions,
): boolean {
  const spec = (current.spec ??= {});
  const meta = (current.metadata ??= {});
  const ports = withNodePorts(desired.spec.ports ?? [], spec.ports ?? []);
  let changed = false;
  if (
    !semanticallyEqual(byPort(ports), byPort(spec.ports ?? [])) ||
    !sameMap(desired.spec.selector, spec.selector) ||
    desired.spec.trafficDistribution !== spec.trafficDistribution
  ) {
    spec.ports = ports;
    spec.selector = desired.spec.selector;
    spec.trafficDistribution = desired.spec.trafficDistribution;
    changed = true;
  }
  if (options.owned) {
    const annotations = keepUnmanaged(desired.annotations, meta.annotations, options.unmanaged?.annotations);
    const labels = keepUnmanaged(desired.labels, meta.labels, options.unmanaged?.labels);
    if (!sameMap(annotations, meta.annotations)) {
      meta.annotations = annotations;
      changed = true;
    }
    if (!sameMap(labels, meta.labels)) {
      meta.labels = labels;
      changed = true;
    }
  }
  if (changed) meta.annotations = withFluxAnnotations(meta.annotations);
  return changed;
}

function withNodePorts(desired: ServicePort[], current: ServicePort[]): ServicePort[] {
  return desired.map(port => {
    const nodePort = current.find(c => c.name === port.name && (c.nodePort ?? 0) > 0)?.nodePort;
    return nodePort === undefined ? port : { ...port, nodePort };
  });
}

function byPort(ports: ServicePort[]): ServicePort[] {
  return [...ports].sort((a, b) => a.port - b.port);
}

function keepUnmanaged(
  desired: Record<string, string>,
  current: Record<string, string> | undefined,
  keys: string[] | undefined,
): Record<string, string> {
  const kept = { ...desired };
  for (const key of keys ?? []) {
    const value = current?.[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept;
}

/** String maps compared exactly (an empty value is a value), a missing map being an empty one. */
export function sameMap(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}
