// Canary.spec.analysis: timing, traffic steps, checks (metrics, webhooks), alerts and session affinity.
import { Type, type Static } from 'typebox';
import { AnalysisMatchSchema } from './istio-schemas.ts';
import { Duration, StringEnum, StringMap, anyOfRequired } from './schema-kit.ts';

/** Metric names that Flagger answers with its own per-mesh queries instead of a template. */
export const BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const;

export const WEBHOOK_TYPES = [
  '', // same as rollout
  'confirm-rollout',
  'pre-rollout',
  'rollout',
  'confirm-promotion',
  'post-rollout',
  'event',
  'rollback',
  'confirm-traffic-increase',
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

export const ALERT_SEVERITIES = ['', 'info', 'warn', 'error'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

const NamespacedReference = Type.Object({
  name: Type.String({ description: 'Name of the referenced object.' }),
  namespace: Type.Optional(
    Type.String({ description: "Namespace of the referenced object (default: the canary's)." }),
  ),
});

// Extension (docs/extensions.md): judge the canary's value against the primary's, not only against fixed bounds.
export const MetricComparisonSchema = Type.Object(
  {
    better: Type.Optional(
      StringEnum(['lower', 'higher'], {
        description: 'Which way the metric improves (default higher for request-success-rate, else lower).',
      }),
    ),
    method: Type.Optional(
      StringEnum(['tolerance', 'proportion'], {
        description:
          'tolerance (default): by maxRelative/AbsoluteDegradation; proportion: a significance test of the ' +
          'percentage of the requests that sampleQuery counts.',
      }),
    ),
    confidence: Type.Optional(
      Type.Number({
        minimum: 0.5,
        maximum: 0.9999,
        description: 'Statistical methods: confidence of a failure, 1 - the false alarm rate (default 0.95).',
      }),
    ),
    minEffect: Type.Optional(
      Type.Number({
        minimum: 0.01,
        description:
          "Statistical methods: smallest change worth catching, in percent of the primary's value (default " +
          '10); fewer requests than needed to catch it with power 0.8 is inconclusive.',
      }),
    ),
    maxRelativeDegradation: Type.Optional(
      Type.Number({ minimum: 0, description: "How much worse than the primary's value, in percent of it." }),
    ),
    maxAbsoluteDegradation: Type.Optional(
      Type.Number({
        minimum: 0,
        description: "How much worse than the primary's value, in the metric's unit.",
      }),
    ),
    sampleQuery: Type.Optional(
      Type.String({
        description:
          'Counts the samples behind a value (e.g. requests in the window), rendered for each side.',
      }),
    ),
    minSamples: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Fewer samples on either side is inconclusive (needs sampleQuery).',
      }),
    ),
  },
  {
    description:
      'Compare with the primary: the query is also rendered for <target>-primary; the canary fails when it is ' +
      'worse by more than every tolerance set (none set: by anything).',
  },
);

export const CanaryMetricSchema = Type.Object({
  name: Type.String({ description: 'Metric name; request-success-rate and request-duration are built in.' }),
  interval: Type.Optional(Duration({ description: 'Query window (default 1m).' })),
  threshold: Type.Optional(
    Type.Number({
      description: 'Deprecated, use thresholdRange: minimum for request-success-rate, else maximum.',
    }),
  ),
  thresholdRange: Type.Optional(
    Type.Object({
      min: Type.Optional(Type.Number({ description: 'Lowest accepted value.' })),
      max: Type.Optional(Type.Number({ description: 'Highest accepted value.' })),
    }),
  ),
  query: Type.Optional(Type.String({ description: 'Deprecated inline Prometheus query, use templateRef.' })),
  // Flagger's Go type also has apiVersion/kind here; its CRD does not, so we leave them out.
  templateRef: Type.Optional(NamespacedReference),
  templateVariables: Type.Optional(
    StringMap({ description: 'Values for {{ variables.<key> }} in the query.' }),
  ),
  compare: Type.Optional(MetricComparisonSchema),
});

export const CanaryAlertSchema = Type.Object({
  name: Type.String({ description: 'Name of this alert.' }),
  severity: Type.Optional(
    StringEnum(ALERT_SEVERITIES, { description: 'Lowest severity sent: info (default), warn or error.' }),
  ),
  providerRef: NamespacedReference,
});

export const CanaryWebhookSchema = Type.Object({
  name: Type.String({ description: 'Name of this webhook.' }),
  type: Type.Optional(StringEnum(WEBHOOK_TYPES, { description: 'When the hook runs (default rollout).' })),
  // Flagger's CRD says `format: url`, a format Kubernetes does not know and ignores; validate.ts checks it.
  url: Type.String({ description: 'Absolute http(s) URL that receives a POST.' }),
  timeout: Type.Optional(Duration({ description: 'Request timeout (default 10s).' })),
  retries: Type.Optional(Type.Number({ description: 'Retries on failure (default 0).' })),
  disableTLS: Type.Optional(Type.Boolean({ description: 'Skip TLS certificate verification.' })),
  muteAlert: Type.Optional(Type.Boolean({ description: 'Send no alert when this gate holds the rollout.' })),
  metadata: Type.Optional(StringMap({ description: 'Sent as the payload metadata.' })),
  // Extension (docs/extensions.md): Flagger sends no credentials but a URL's user info.
  secretRef: Type.Optional(
    Type.Object(
      { name: Type.String() },
      {
        description:
          "Secret in the canary's namespace whose key `token` is sent as `Authorization: Bearer` (extension).",
      },
    ),
  ),
});

export const SessionAffinitySchema = Type.Object({
  cookieName: Type.String({ description: 'Cookie that pins a client to the canary.' }),
  primaryCookieName: Type.Optional(Type.String({ description: 'Cookie that pins a client to the primary.' })),
  maxAge: Type.Optional(Type.Number({ default: 86400, description: 'Cookie lifetime in seconds.' })),
  domain: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
  sameSite: Type.Optional(StringEnum(['Strict', 'Lax', 'None'])),
  httpOnly: Type.Optional(Type.Boolean()),
  partitioned: Type.Optional(Type.Boolean()),
  secure: Type.Optional(Type.Boolean()),
});

export const CanaryAnalysisSchema = Type.Object(
  {
    interval: Duration({ description: 'Time between analysis steps (minimum 10s).' }),
    // Extension (docs/extensions.md): Flagger has no start delay.
    delay: Type.Optional(
      Duration({ description: 'Time from the start of a run before metric checks count (default 0).' }),
    ),
    threshold: Type.Optional(Type.Number({ description: 'Failed checks before rollback (default 1).' })),
    iterations: Type.Optional(Type.Number({ description: 'Checks to run for A/B testing and blue/green.' })),
    maxWeight: Type.Optional(Type.Number({ description: 'Highest canary traffic weight (default 100).' })),
    stepWeight: Type.Optional(Type.Number({ description: 'Canary weight increment per step.' })),
    stepWeights: Type.Optional(
      Type.Array(Type.Number(), { description: 'Explicit canary weights per step.' }),
    ),
    stepWeightPromotion: Type.Optional(
      Type.Number({ description: 'Primary weight increment during promotion (default: all at once).' }),
    ),
    mirror: Type.Optional(Type.Boolean({ description: 'Mirror traffic to the canary.' })),
    mirrorWeight: Type.Optional(Type.Number({ description: 'Percentage of traffic mirrored.' })),
    primaryReadyThreshold: Type.Optional(
      Type.Number({ description: 'Percentage of primary pods that must be available (default 100).' }),
    ),
    canaryReadyThreshold: Type.Optional(
      Type.Number({ description: 'Percentage of canary pods that must be available (default 100).' }),
    ),
    match: Type.Optional(Type.Array(AnalysisMatchSchema, { description: 'A/B testing conditions.' })),
    metrics: Type.Optional(Type.Array(CanaryMetricSchema, { description: 'Metric checks.' })),
    alerts: Type.Optional(Type.Array(CanaryAlertSchema, { description: 'Alert routing for this canary.' })),
    webhooks: Type.Optional(Type.Array(CanaryWebhookSchema, { description: 'Webhooks.' })),
    sessionAffinity: Type.Optional(SessionAffinitySchema),
  },
  {
    description: 'How the canary is analysed and promoted.',
    // Flagger's CRD: oneOf [interval, threshold] + iterations | stepWeight | stepWeights. Extensions, each
    // accepting a superset of what Flagger's CRD accepts: threshold may be left out (Flagger's code defaults it
    // to 1 anyway), and the alternatives are anyOf, so a canary that sets iterations and stepWeight is accepted
    // and runs as Flagger's code runs it (iterations win: blue/green or A/B).
    ...anyOfRequired(['iterations'], ['stepWeight'], ['stepWeights']),
  },
);

export type CanaryAnalysis = Static<typeof CanaryAnalysisSchema>;
export type CanaryMetric = Static<typeof CanaryMetricSchema>;
export type MetricComparison = Static<typeof MetricComparisonSchema>;
export type CanaryAlert = Static<typeof CanaryAlertSchema>;
export type CanaryWebhook = Static<typeof CanaryWebhookSchema>;
export type SessionAffinity = Static<typeof SessionAffinitySchema>;
export type AnalysisMatch = Static<typeof AnalysisMatchSchema>;
