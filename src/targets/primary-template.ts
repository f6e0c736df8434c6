// The primary's pod template, derived purely from the target's (Flagger's getPrimaryDeploymentTemplateSpec,
// ApplyPrimaryConfigs, makePrimaryLabels and makeAnnotations).
import { canonicalJson } from '../util/hash.ts';
import type { PodTemplateSpec } from '../kube/types.ts';
import {
  FLAGGER_ID_ANNOTATION,
  omitKeys,
  podAnnotations,
  primaryLabels,
  primaryName,
} from './generated-metadata.ts';
import { configKey, configRefSites } from './config-refs.ts';
import type { PodSpec } from './metadata.ts';

type LabelSelector = NonNullable<NonNullable<PodSpec['topologySpreadConstraints']>[number]['labelSelector']>;

export interface PrimaryTemplateOptions {
  /** targetRef.name: selector values equal to it are pointed at the primary. */
  targetName: string;
  /** The selector label found on the target and its value there. */
  labelKey: string;
  labelValue: string;
  /** -selector-labels: the keys whose selector values are rewritten. */
  selectorLabels: readonly string[];
  /** Keys (`configmap/<name>`, `secret/<name>`) of the tracked configs, which the primary uses as `-primary`. */
  trackedConfigs: ReadonlySet<string>;
  /** The new flagger-id pod annotation. */
  flaggerId: string;
}

/** The target's pod template as the primary runs it. */
export function primaryPodTemplate(
  template: PodTemplateSpec,
  options: PrimaryTemplateOptions,
): PodTemplateSpec {
  const spec = structuredClone(template.spec ?? { containers: [] });
  renameTrackedConfigs(spec, options.trackedConfigs);
  pointSelectorsAtPrimary(spec, options);
  return {
    metadata: {
      labels: primaryLabels(template.metadata?.labels, options.labelKey, primaryName(options.labelValue)),
      annotations: podAnnotations(template.metadata?.annotations, options.flaggerId),
    },
    spec,
  };
}

/** True when two pod templates have the same labels, annotations (flagger-id aside) and spec. */
export function samePodTemplate(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalJson(comparable(a)) === canonicalJson(comparable(b));
}

function comparable(template: PodTemplateSpec): unknown {
  const annotations = omitKeys(template.metadata?.annotations, FLAGGER_ID_ANNOTATION);
  return { labels: template.metadata?.labels ?? {}, annotations, spec: template.spec };
}

/** Points volumes, projected sources, env and envFrom of every container at the `-primary` configs. */
function renameTrackedConfigs(spec: PodSpec, tracked: ReadonlySet<string>): void {
  for (const site of configRefSites(spec)) {
    if (site.name !== undefined && tracked.has(configKey(site.kind, site.name)))
      site.rename(primaryName(site.name));
  }
}

/** Topology spread and pod anti-affinity selectors that pick the target's pods pick the primary's instead. */
function pointSelectorsAtPrimary(spec: PodSpec, options: PrimaryTemplateOptions): void {
  const antiAffinity = spec.affinity?.podAntiAffinity;
  const selectors = [
    ...(spec.topologySpreadConstraints ?? []).map(c => c.labelSelector),
    ...(antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
      t => t.podAffinityTerm.labelSelector,
    ),
    ...(antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(t => t.labelSelector),
  ];
  for (const selector of selectors) if (selector) suffixSelector(selector, options);
}

/**
 * As Flagger: only keys among -selector-labels, only values equal to the target's name (not the label value),
 * and only the first such value of each match expression.
 */
function suffixSelector(selector: LabelSelector, options: PrimaryTemplateOptions): void {
  const { targetName, selectorLabels } = options;
  for (const expression of selector.matchExpressions ?? []) {
    if (!selectorLabels.includes(expression.key) || !expression.values) continue;
    const index = expression.values.indexOf(targetName);
    if (index >= 0) expression.values[index] = primaryName(targetName);
  }
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (selectorLabels.includes(key) && value === targetName && selector.matchLabels) {
      selector.matchLabels[key] = primaryName(targetName);
    }
  }
}
