// The MetricTemplate kind (flagger.app/v1beta1): a provider connection and a query template.
import { Type, type Static } from 'typebox';
import { ObjectMetaSchema, type ObjectMeta } from './object-meta.ts';
import { MapOf, StringEnum, StringList } from './schema-kit.ts';

export const METRIC_PROVIDER_TYPES = [
  'prometheus',
  'influxdb',
  'datadog',
  'externalmetrics',
  'stackdriver',
  'cloudwatch',
  'newrelic',
  'graphite',
  'dynatrace',
  'keptn',
  'splunk',
] as const;

export type MetricProviderType = (typeof METRIC_PROVIDER_TYPES)[number];

export const MetricTemplateSpecSchema = Type.Object(
  {
    provider: Type.Object(
      {
        type: StringEnum(METRIC_PROVIDER_TYPES, { description: 'Metrics backend.' }),
        address: Type.Optional(Type.String({ description: 'API address of the backend.' })),
        headers: Type.Optional(
          MapOf(StringList(), { description: 'HTTP headers sent with queries (Prometheus).' }),
        ),
        secretRef: Type.Optional(
          Type.Object(
            { name: Type.String() },
            { description: "Secret in the template's namespace holding the credentials." },
          ),
        ),
        region: Type.Optional(Type.String({ description: 'Region (CloudWatch).' })),
        insecureSkipVerify: Type.Optional(
          Type.Boolean({ description: 'Skip TLS certificate verification.' }),
        ),
      },
      { description: 'Where the query runs.' },
    ),
    query: Type.String({
      description: 'Query text; a Go template over the canary ({{ target }}, {{ interval }}, ...).',
    }),
  },
  { description: 'Desired state of a MetricTemplate.' },
);

// Flagger's Go type declares status.conditions but never writes them, and its CRD declares no status
// schema, so status is not declared here either.
export const MetricTemplateSchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    metadata: Type.Optional(ObjectMetaSchema()),
    spec: Type.Optional(MetricTemplateSpecSchema),
  },
  { description: 'A reusable metric query for canary analysis.' },
);

export type MetricTemplateSpec = Static<typeof MetricTemplateSpecSchema>;
export type MetricTemplateProvider = MetricTemplateSpec['provider'];

/** As for Canary: the type requires the metadata and spec that every served object has. */
export type MetricTemplate = Omit<Static<typeof MetricTemplateSchema>, 'metadata' | 'spec'> & {
  metadata: ObjectMeta;
  spec: MetricTemplateSpec;
};
