// How a workload's pods are selected (Flagger's getSelectorLabel) and which extra container ports the
// generated Services expose (Flagger's getPorts).
import type { CanaryService } from '../api/canary.ts';
import { serviceTargetPort } from '../api/defaults.ts';
import type { ObjectMeta, PodTemplateSpec } from '../kube/types.ts';
import { dotted } from './generated-metadata.ts';
import type { DiscoveredPort } from './types.ts';

export type PodSpec = NonNullable<PodTemplateSpec['spec']>;
export type Container = PodSpec['containers'][number];

/** What a Deployment or DaemonSet needs to have for its selector to be read. */
export interface SelectingWorkload {
  metadata?: ObjectMeta;
  spec?: { selector: { matchLabels?: Record<string, string> } };
}

export interface SelectorLabel {
  labelKey: string;
  labelValue: string;
}

/** Sidecar proxies whose ports are never exposed. */
const SIDECARS = new Set(['istio-proxy', 'envoy']);

/** The first of the -selector-labels present in the workload's spec.selector.matchLabels. */
export function selectorLabel(
  workload: SelectingWorkload,
  selectorLabels: readonly string[],
  noun: string,
): SelectorLabel {
  const matchLabels = workload.spec?.selector.matchLabels ?? {};
  for (const labelKey of selectorLabels) {
    const labelValue = matchLabels[labelKey];
    if (labelValue !== undefined) return { labelKey, labelValue };
  }
  const where = dotted(workload.metadata?.name ?? '', workload.metadata?.namespace ?? '');
  // Flagger's wording, with the label list printed the way Go prints a []string.
  throw new Error(
    `getSelectorLabel failed: ${noun} ${where} spec.selector.matchLabels must contain one of [${selectorLabels.join(' ')}]`,
  );
}

/**
 * The container ports other than the service's own (service.targetPort, else service.port; a named targetPort
 * matches the port name), skipping mesh sidecars. A port is named after the container port, else
 * `tcp-<container>-<index>`; when two ports share a name the last one wins, as in Flagger's map.
 */
export function discoverPorts(service: CanaryService, containers: readonly Container[]): DiscoveredPort[] {
  const own = serviceTargetPort(service);
  const ports = new Map<string, number>();
  for (const container of containers) {
    if (SIDECARS.has(container.name)) continue;
    (container.ports ?? []).forEach((port, index) => {
      const isOwn = typeof own === 'number' ? port.containerPort === own : port.name === own;
      if (isOwn) return;
      ports.set(port.name || `tcp-${container.name}-${index}`, port.containerPort);
    });
  }
  return [...ports].map(([name, port]) => ({ name, port }));
}
