// Canary.spec.service: the generated ClusterIP Services and the mesh/ingress routing objects.
import { Type, type Static } from 'typebox';
import { MirrorSchema, ParentReferenceSchema } from './gateway-api-schemas.ts';
import {
  CorsPolicySchema,
  HeadersSchema,
  HttpMatchRequestSchema,
  RetriesSchema,
  RewriteSchema,
  TrafficPolicySchema,
} from './istio-schemas.ts';
import { IntOrString, StringEnum, StringList, StringMap } from './schema-kit.ts';

function ServiceMetadata(description: string) {
  return Type.Object(
    { labels: Type.Optional(StringMap()), annotations: Type.Optional(StringMap()) },
    { description },
  );
}

export const CanaryServiceSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'Apex Service name (default: targetRef.name).' })),
    port: Type.Number({ description: 'Service port.' }),
    portName: Type.Optional(Type.String({ description: 'Service port name (default http).' })),
    targetPort: Type.Optional(IntOrString({ description: 'Container port number or name (default: port).' })),
    appProtocol: Type.Optional(Type.String({ description: 'Application protocol of the port.' })),
    trafficDistribution: Type.Optional(StringEnum(['PreferClose', 'PreferSameZone', 'PreferSameNode'])),
    portDiscovery: Type.Optional(Type.Boolean({ description: 'Also expose every other container port.' })),
    headless: Type.Optional(Type.Boolean({ description: 'Generate headless Services.' })),
    timeout: Type.Optional(Type.String({ description: 'HTTP/gRPC request timeout.' })),
    backendTimeout: Type.Optional(Type.String({ description: 'Backend request timeout (Gateway API v1).' })),
    meshName: Type.Optional(Type.String({ description: 'App Mesh mesh name.' })),
    backends: Type.Optional(StringList({ description: 'App Mesh backends (names or ARNs).' })),
    hosts: Type.Optional(StringList({ description: 'Host names routed to this service.' })),
    delegation: Type.Optional(Type.Boolean({ description: 'Generate an Istio delegate VirtualService.' })),
    gateways: Type.Optional(StringList({ description: 'Istio gateways (default mesh).' })),
    gatewayRefs: Type.Optional(
      Type.Array(ParentReferenceSchema, {
        maxItems: 32,
        description: 'Gateway API parents of the HTTPRoute.',
      }),
    ),
    match: Type.Optional(Type.Array(HttpMatchRequestSchema, { description: 'Route match conditions.' })),
    rewrite: Type.Optional(RewriteSchema),
    retries: Type.Optional(RetriesSchema),
    headers: Type.Optional(HeadersSchema),
    mirror: Type.Optional(Type.Array(MirrorSchema, { description: 'Gateway API request mirrors.' })),
    corsPolicy: Type.Optional(CorsPolicySchema),
    trafficPolicy: Type.Optional(TrafficPolicySchema),
    apex: Type.Optional(ServiceMetadata('Labels and annotations for the apex Service and routing object.')),
    primary: Type.Optional(ServiceMetadata('Labels and annotations for the primary Service.')),
    canary: Type.Optional(ServiceMetadata('Labels and annotations for the canary Service.')),
    unmanagedMetadata: Type.Optional(
      Type.Object(
        { labels: Type.Optional(StringList()), annotations: Type.Optional(StringList()) },
        { description: 'Label and annotation keys that Flagger never overwrites on Services it owns.' },
      ),
    ),
  },
  { description: 'Generated Services and routing.' },
);

export type CanaryService = Static<typeof CanaryServiceSchema>;
export type HttpMatchRequest = Static<typeof HttpMatchRequestSchema>;
export type GatewayParentReference = Static<typeof ParentReferenceSchema>;
export type ServiceMirror = Static<typeof MirrorSchema>;
