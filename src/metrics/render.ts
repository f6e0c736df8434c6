// Query templates, as Flagger renders them: functions named after the model fields ({{ namespace }}, {{ target }},
// {{ variables.key }}, ...) with missingkey=error, so a missing variable is an error rather than "<no value>".
// Errors are wrapped the way Flagger's RenderQuery wraps them (including its "excution" typo), because they end
// up in event messages.
import type { CanaryMetric } from '../api/canary-analysis.ts';
import type { Canary } from '../api/canary.ts';
import { metricInterval, serviceNames } from '../api/defaults.ts';
import {
  executeTemplate,
  parseTemplate,
  type ParsedTemplate,
  type TemplateDialect,
} from '../util/go-template.ts';

/** The values a query template can read: Flagger's MetricTemplateModel. */
export interface QueryModel {
  name: string;
  namespace: string;
  target: string;
  service: string;
  ingress: string;
  route: string;
  interval: string;
  variables: Readonly<Record<string, string>>;
}

/**
 * The model of one metric of a canary. The interval defaults to 1m for every kind of metric (quirk Q10 fixed, see
 * metricInterval).
 */
export function queryModel(
  canary: Canary,
  metric: Pick<CanaryMetric, 'interval' | 'templateVariables'>,
  /** Knative: the Service's latest created revision, which Flagger renders as {{ route }}. */
  route?: string,
): QueryModel {
  const { spec } = canary;
  const target = spec.targetRef.name;
  return {
    name: canary.metadata.name ?? '',
    namespace: canary.metadata.namespace ?? '',
    target,
    service: serviceNames(spec).apex,
    ingress: spec.ingressRef?.name ?? target,
    route: route ?? spec.routeRef?.name ?? target,
    interval: metricInterval(metric),
    variables: metric.templateVariables ?? {},
  };
}

const QUERY_TEMPLATES: TemplateDialect = {
  name: 'tmpl',
  functions: new Set<string>([
    'name',
    'namespace',
    'target',
    'service',
    'ingress',
    'route',
    'interval',
    'variables',
  ] satisfies (keyof QueryModel)[]),
  hint: 'use {{ name }} or {{ variables.key }}',
};

/** Renders a query template; throws an Error whose message names what is wrong (e.g. the missing variable). */
export function renderQuery(template: string, model: QueryModel): string {
  let parsed: ParsedTemplate;
  try {
    parsed = parseTemplate(template, QUERY_TEMPLATES);
  } catch (err) {
    throw new Error(`template parsing failed: ${(err as Error).message}`, { cause: err });
  }
  try {
    return executeTemplate(parsed, { ...model }, QUERY_TEMPLATES);
  } catch (err) {
    throw new Error(`template excution failed: ${(err as Error).message}`, { cause: err });
  }
}
