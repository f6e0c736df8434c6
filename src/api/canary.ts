// The Canary kind (flagger.app/v1beta1): schema and TypeScript types, field for field as Flagger 1.44's CRD.
import { Type, type Static, type TProperties } from 'typebox';
import { CanaryAnalysisSchema } from './canary-analysis.ts';
import { CanaryServiceSchema } from './canary-service.ts';
import { ObjectMetaSchema, type ObjectMeta } from './object-meta.ts';
import { CANARY_PHASES } from './phases.ts';
import { PROVIDERS } from './providers.ts';
import { StringEnum, StringMap } from './schema-kit.ts';

/** A reference to an object of one of `kinds` in the canary's namespace, plus kind-specific fields. */
function TypedReference<const K extends string, P extends TProperties>(
  kinds: readonly K[],
  description: string,
  extra: P,
) {
  return Type.Object(
    {
      apiVersion: Type.String(),
      kind: StringEnum(kinds),
      name: Type.String(),
      ...extra,
    },
    { description },
  );
}

const TargetRefSchema = TypedReference(
  ['DaemonSet', 'Deployment', 'Service'],
  'Workload to canary; a Service with apiVersion serving.knative.dev/v1 is a Knative Service.',
  {},
);

const AutoscalerRefSchema = TypedReference(
  ['HorizontalPodAutoscaler', 'ScaledObject'],
  'Autoscaler of the target; a copy is made for the primary.',
  {
    primaryScalerQueries: Type.Optional(
      StringMap({ description: 'ScaledObject trigger queries for the primary.' }),
    ),
    primaryScalerReplicas: Type.Optional(
      Type.Object({
        minReplicas: Type.Optional(Type.Integer({ minimum: 1 })),
        maxReplicas: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
    ),
  },
);

export const CanarySpecSchema = Type.Object(
  {
    provider: Type.Optional(
      StringEnum(PROVIDERS, { description: 'Mesh or ingress provider for this canary.' }),
    ),
    metricsServer: Type.Optional(Type.String({ description: 'Prometheus URL for the built-in metrics.' })),
    progressDeadlineSeconds: Type.Optional(
      Type.Number({ description: 'Seconds a rollout may stall before it fails (default 600).' }),
    ),
    targetRef: TargetRefSchema,
    autoscalerRef: Type.Optional(AutoscalerRefSchema),
    ingressRef: Type.Optional(TypedReference(['Ingress'], 'Ingress to clone (NGINX, Skipper).', {})),
    routeRef: Type.Optional(TypedReference(['ApisixRoute'], 'APISIX route to clone.', {})),
    upstreamRef: Type.Optional(
      TypedReference(['Upstream'], 'Gloo Upstream whose settings are copied.', {
        namespace: Type.Optional(Type.String()),
      }),
    ),
    service: Type.Optional(CanaryServiceSchema),
    analysis: CanaryAnalysisSchema,
    // Quirk Q17: Flagger's Go type still reads the deprecated spec.canaryAnalysis, but its CRD prunes it, so
    // it never reaches the controller; it is not declared here either.
    skipAnalysis: Type.Optional(Type.Boolean({ description: 'Promote without analysis.' })),
    revertOnDeletion: Type.Optional(
      Type.Boolean({ description: 'Revert the target and routing on deletion.' }),
    ),
    suspend: Type.Optional(Type.Boolean({ description: 'Pause all reconciliation of this canary.' })),
  },
  { description: 'Desired state of a Canary.' },
);

const Timestamp = Type.String({ format: 'date-time' });

export const CanaryConditionSchema = Type.Object({
  type: Type.String({ description: 'Condition type (Promoted).' }),
  status: Type.String({ description: 'True, False or Unknown.' }),
  reason: Type.String({ description: 'The phase that set this condition.' }),
  message: Type.Optional(Type.String()),
  lastUpdateTime: Type.Optional(Timestamp),
  lastTransitionTime: Type.Optional(Timestamp),
  // Extension: the spec generation a condition of ours (MetricsVerified) was computed for.
  observedGeneration: Type.Optional(
    Type.Integer({ description: 'The spec generation this condition is about.' }),
  ),
});

/**
 * How a metric check ended. Failed: the value broke its range; NoValues: the query returned nothing; Error: the
 * query, template or provider failed; Inconclusive: too little data to judge (statistical comparisons).
 */
export const CHECK_VERDICTS = ['Passed', 'Failed', 'NoValues', 'Error', 'Inconclusive'] as const;
export type CheckVerdict = (typeof CHECK_VERDICTS)[number];

// Extension (docs/extensions.md): the decision record, the last metric checks of the current run, newest last.
export const CanaryMetricCheckSchema = Type.Object({
  metric: Type.String({ description: 'The analysis metric.' }),
  provider: Type.String({
    description: 'The backend queried: a MetricTemplate provider type or prometheus.',
  }),
  query: Type.Optional(Type.String({ description: 'The query as rendered and sent.' })),
  interval: Type.String({ description: 'The query window.' }),
  value: Type.Optional(Type.Number({ description: 'The value returned (request-duration in ms).' })),
  min: Type.Optional(Type.Number({ description: 'Lowest accepted value.' })),
  max: Type.Optional(Type.Number({ description: 'Highest accepted value.' })),
  baseline: Type.Optional(Type.Number({ description: "The primary's value, when compared with it." })),
  method: Type.Optional(
    Type.String({ description: 'The statistical comparison with the primary: compare.method.' }),
  ),
  test: Type.Optional(Type.String({ description: 'The test run: z or fisher.' })),
  canarySamples: Type.Optional(Type.Number({ description: 'Requests counted for the canary.' })),
  primarySamples: Type.Optional(Type.Number({ description: 'Requests counted for the primary.' })),
  effect: Type.Optional(Type.Number({ description: "Canary minus primary, in the metric's unit." })),
  effectInterval: Type.Optional(
    Type.Array(Type.Number(), { description: 'The interval of effect at compare.confidence: low, high.' }),
  ),
  pValue: Type.Optional(Type.Number({ description: 'One-sided p-value of the canary being worse.' })),
  verdict: StringEnum(CHECK_VERDICTS, { description: 'How the check ended.' }),
  message: Type.Optional(Type.String({ description: 'Why it did not pass.' })),
  time: Timestamp,
});

export const CanaryStatusSchema = Type.Object(
  {
    phase: Type.Optional(StringEnum(CANARY_PHASES, { description: 'Analysis phase.' })),
    failedChecks: Type.Optional(Type.Number({ description: 'Failed checks in the current run.' })),
    canaryWeight: Type.Optional(Type.Number({ description: 'Traffic weight routed to the canary.' })),
    iterations: Type.Optional(Type.Number({ description: 'Iterations done in the current run.' })),
    trackedConfigs: Type.Optional(
      StringMap({ description: 'Checksums of the ConfigMaps and Secrets in use.' }),
    ),
    lastAppliedSpec: Type.Optional(Type.String({ description: 'Hash of the target spec last seen.' })),
    lastPromotedSpec: Type.Optional(Type.String({ description: 'Hash of the target spec last promoted.' })),
    lastTransitionTime: Type.Optional(Timestamp),
    // Extension (docs/extensions.md): written only for canaries that set analysis.delay.
    analysisStartTime: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the current analysis run started.' }),
    ),
    sessionAffinityCookie: Type.Optional(Type.String()),
    primarySessionAffinityCookie: Type.Optional(Type.String()),
    previousSessionAffinityCookie: Type.Optional(Type.String()),
    conditions: Type.Optional(Type.Array(CanaryConditionSchema)),
    metricChecks: Type.Optional(
      Type.Array(CanaryMetricCheckSchema, {
        description: 'The last metric checks of the current analysis run, newest last (extension).',
      }),
    ),
  },
  { description: 'Observed state of a Canary.' },
);

export const CanarySchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: Type.Optional(ObjectMetaSchema()),
    spec: Type.Optional(CanarySpecSchema),
    status: Type.Optional(CanaryStatusSchema),
  },
  { description: 'Progressive delivery of one workload.' },
);

export type CanarySpec = Static<typeof CanarySpecSchema>;
export type CanaryStatus = Static<typeof CanaryStatusSchema>;
export type CanaryCondition = Static<typeof CanaryConditionSchema>;
export type CanaryMetricCheck = Static<typeof CanaryMetricCheckSchema>;
export type CanaryTargetRef = Static<typeof TargetRefSchema>;
export type CanaryAutoscalerRef = Static<typeof AutoscalerRefSchema>;

/**
 * A Canary as the controller handles it. Like Flagger's, the CRD does not require `spec`, but every object
 * the API server hands us has metadata, and one without a spec cannot be reconciled, so the type requires both.
 */
export type Canary = Omit<Static<typeof CanarySchema>, 'metadata' | 'spec'> & {
  metadata: ObjectMeta;
  spec: CanarySpec;
};

export type {
  AlertSeverity,
  AnalysisMatch,
  CanaryAlert,
  CanaryAnalysis,
  CanaryMetric,
  CanaryWebhook,
  SessionAffinity,
  WebhookType,
} from './canary-analysis.ts';
export type {
  CanaryService,
  GatewayParentReference,
  HttpMatchRequest,
  ServiceMirror,
} from './canary-service.ts';
export type { CanaryPhase } from './phases.ts';
