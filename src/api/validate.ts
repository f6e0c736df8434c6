// Semantic validation: objects that the CRD schema accepts but that cannot work, each reported with the
// field at fault. An empty list means valid. The controller reports these instead of acting on the object.
import type { AlertProvider } from './alert-provider.ts';
import type { CanaryService } from './canary-service.ts';
import type { Canary, CanarySpec } from './canary.ts';
import { canaryProvider, mirrorBackendRef, retryOnEvents } from './defaults.ts';
import type { MetricTemplate } from './metric-template.ts';
import { parseProvider, PROVIDER_FEATURES, providerProblem, type Provider } from './providers.ts';
import { validateAnalysis } from './validate-analysis.ts';
import { checkInteger, checkUrl, problem, type Problem } from './validate-kit.ts';
import { isKnativeService } from './knative.ts';

export type { Problem } from './validate-kit.ts';

export interface CanaryValidationOptions {
  /** The -no-cross-namespace-refs flag: templates, alert providers and upstreams must be in the canary's namespace. */
  noCrossNamespaceRefs: boolean;
  /** The -mesh-provider flag, used when spec.provider is empty; provider-specific rules are skipped without it. */
  meshProvider?: string;
}

export function validateCanary(canary: Canary, opts: CanaryValidationOptions): Problem[] {
  if (!hasSpec(canary)) return [SPEC_MISSING];
  const { spec } = canary;
  const provider = opts.meshProvider === undefined ? spec.provider : canaryProvider(spec, opts.meshProvider);
  const parsed = provider === undefined ? undefined : parseProvider(provider)?.provider;
  // Served objects always carry their namespace; 'default' only covers hand-built ones and files read by
  // `flagger validate`, which may have no metadata at all.
  const namespace = (canary.metadata as Canary['metadata'] | undefined)?.namespace ?? 'default';
  return [
    ...providerProblems(spec),
    ...checkInteger('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, { min: 1 }),
    ...targetProblems(spec, parsed),
    ...(spec.service === undefined ? [] : serviceProblems(spec.service, parsed)),
    ...providerRequirementProblems(spec, parsed),
    ...validateAnalysis(spec.analysis, parsed),
    ...(opts.noCrossNamespaceRefs ? crossNamespaceProblems(spec, namespace) : []),
  ];
}

const SPEC_MISSING = problem('spec', 'is required');

/** Our CRDs, like Flagger's, do not require spec: the API server stores an object without one. */
function hasSpec(object: { spec?: unknown }): boolean {
  return typeof object.spec === 'object' && object.spec !== null;
}

function providerProblems(spec: CanarySpec): Problem[] {
  const why = spec.provider === undefined ? undefined : providerProblem(spec.provider);
  return why === undefined ? [] : [problem('spec.provider', `is not valid: ${why}`)];
}

/** Flagger's Knative consistency rules, and targets that cannot be autoscaled or lack a Service port. */
function targetProblems(spec: CanarySpec, provider: string | undefined): Problem[] {
  const problems: Problem[] = [];
  const knative = isKnativeService(spec.targetRef);
  if (knative && provider !== undefined && provider !== 'knative') {
    problems.push(problem('spec.provider', `must be knative for a Knative Service target, got ${provider}`));
  }
  if (!knative && provider === 'knative') {
    problems.push(
      problem(
        'spec.targetRef',
        'must be a Knative Service (serving.knative.dev/v1) with the knative provider',
      ),
    );
  }
  if (spec.autoscalerRef !== undefined && spec.targetRef.kind !== 'Deployment') {
    const kind = knative ? 'Knative Service' : spec.targetRef.kind;
    problems.push(problem('spec.autoscalerRef', `can only be used with a Deployment target, not a ${kind}`));
  }
  if (spec.service === undefined && !knative) {
    problems.push(problem('spec.service', 'is required: the port of the generated Services is not set'));
  }
  return problems;
}

function serviceProblems(service: CanaryService, provider: Provider | undefined): Problem[] {
  const problems = checkInteger('spec.service.port', service.port, { min: 1, max: 65535 });
  problems.push(...retryEventProblems(service, provider));
  if (typeof service.targetPort === 'number') {
    problems.push(...checkInteger('spec.service.targetPort', service.targetPort, { min: 1, max: 65535 }));
  }
  const hasHosts = (service.hosts?.length ?? 0) > 0 || (service.gateways?.length ?? 0) > 0;
  if (service.delegation === true && hasHosts) {
    problems.push(
      problem(
        'spec.service.delegation',
        'cannot be used with hosts or gateways: a delegate VirtualService has neither',
      ),
    );
  }
  (service.mirror ?? []).forEach((mirror, index) => {
    const ref = mirrorBackendRef(mirror);
    if (ref.group === '' && ref.kind === 'Service' && ref.port === undefined) {
      problems.push(
        problem(`spec.service.mirror[${index}].backendRef.port`, 'is required for a Service reference'),
      );
    }
  });
  return problems;
}

/** Events the provider's retry policy cannot carry: its routing object would be refused by the API server. */
function retryEventProblems(service: CanaryService, provider: Provider | undefined): Problem[] {
  const accepted = provider === undefined ? undefined : PROVIDER_FEATURES[provider].retryEvents;
  if (accepted === undefined) return [];
  const refused = new Set(retryOnEvents(service.retries).filter(event => !accepted.includes(event)));
  if (refused.size === 0) return [];
  return [
    problem(
      'spec.service.retries.retryOn',
      `lists retry events the ${provider} provider does not accept: ${[...refused].join(', ')}; ` +
        `it accepts ${accepted.join(', ')} (comma-separated)`,
    ),
  ];
}

interface Requirement {
  field: string;
  what: string;
  present: (spec: CanarySpec) => boolean;
}

const INGRESS_REF: Requirement = {
  field: 'spec.ingressRef',
  what: 'the Ingress to clone',
  present: spec => spec.ingressRef !== undefined,
};
const GATEWAY_REFS: Requirement = {
  field: 'spec.service.gatewayRefs',
  what: 'the HTTPRoute parents',
  present: spec => (spec.service?.gatewayRefs?.length ?? 0) > 0,
};

/** What a provider's router cannot work without (each is an error at reconcile time in Flagger). */
const PROVIDER_REQUIREMENTS: Partial<Record<Provider, Requirement>> = {
  nginx: INGRESS_REF,
  skipper: INGRESS_REF,
  apisix: {
    field: 'spec.routeRef',
    what: 'the ApisixRoute to clone',
    present: spec => spec.routeRef !== undefined,
  },
  'gatewayapi:v1': GATEWAY_REFS,
  'gatewayapi:v1beta1': GATEWAY_REFS,
  appmesh: {
    field: 'spec.service.meshName',
    what: 'the App Mesh mesh',
    present: spec => (spec.service?.meshName ?? '') !== '',
  },
};

function providerRequirementProblems(spec: CanarySpec, provider: Provider | undefined): Problem[] {
  const requirement = provider === undefined ? undefined : PROVIDER_REQUIREMENTS[provider];
  if (requirement === undefined || requirement.present(spec)) return [];
  // With no service block at all, the block is what is missing: a problem names a field of the object or of its
  // parent, never one under a parent that is not there.
  if (requirement.field.startsWith('spec.service.') && spec.service === undefined)
    return [
      problem(
        'spec.service',
        `is required with the ${provider} provider, with ${requirement.field} (${requirement.what})`,
      ),
    ];
  return [problem(requirement.field, `is required with the ${provider} provider (${requirement.what})`)];
}

function crossNamespaceProblems(spec: CanarySpec, namespace: string): Problem[] {
  const refs: [string, string | undefined][] = [
    ['spec.upstreamRef.namespace', spec.upstreamRef?.namespace],
    ...(spec.analysis.metrics ?? []).map((metric, index): [string, string | undefined] => [
      `spec.analysis.metrics[${index}].templateRef.namespace`,
      metric.templateRef?.namespace,
    ]),
    ...(spec.analysis.alerts ?? []).map((alert, index): [string, string | undefined] => [
      `spec.analysis.alerts[${index}].providerRef.namespace`,
      alert.providerRef.namespace,
    ]),
  ];
  return refs
    .filter(
      ([, refNamespace]) => refNamespace !== undefined && refNamespace !== '' && refNamespace !== namespace,
    )
    .map(([field, refNamespace]) =>
      problem(
        field,
        `("${refNamespace}") must be the canary's namespace ("${namespace}"): cross-namespace references are disabled`,
      ),
    );
}

export function validateMetricTemplate(template: MetricTemplate): Problem[] {
  if (!hasSpec(template)) return [SPEC_MISSING];
  const { spec } = template;
  const problems = checkUrl('spec.provider.address', spec.provider.address);
  if (spec.query.trim() === '') problems.push(problem('spec.query', 'must not be empty'));
  return problems;
}

export function validateAlertProvider(provider: AlertProvider): Problem[] {
  if (!hasSpec(provider)) return [SPEC_MISSING];
  const { spec } = provider;
  return [
    ...checkUrl('spec.address', spec.address),
    // Go's HTTP proxy support covers these three schemes.
    ...checkUrl('spec.proxy', spec.proxy, ['http', 'https', 'socks5']),
  ];
}
