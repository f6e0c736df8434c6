// The Istio networking shapes that Flagger embeds in Canary.spec.service (route match, headers, rewrite,
// retries, CORS, DestinationRule traffic policy). Gateway API and the other routers read the same fields.
// Field lists and types follow Flagger's CRD, which is narrower than Istio's own API in places.
import { Type, type TOptional, type TSchema } from 'typebox';
import { Int32, MapOf, StringEnum, StringList, StringMap, oneOfRequired } from './schema-kit.ts';

type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regex';

/**
 * An Istio StringMatch restricted to `kinds`. `optional: true` also accepts an object with none of them (as
 * Flagger's CRD does for route matches); otherwise exactly one must be set.
 */
export function StringMatch<const K extends MatchKind>(
  kinds: readonly K[],
  { optional }: { optional: boolean },
) {
  const exactlyOne = oneOfRequired(...kinds.map(kind => [kind])).oneOf;
  return Type.Unsafe<Partial<Record<K, string>>>({
    type: 'object',
    properties: Object.fromEntries(kinds.map(kind => [kind, Type.String()])),
    oneOf: optional ? [{ not: { anyOf: exactlyOne } }, ...exactlyOne] : exactlyOne,
  });
}

const RouteStringMatch = StringMatch(['exact', 'prefix', 'regex'], { optional: true });

/** Istio HTTPMatchRequest as used by service.match. */
export const HttpMatchRequestSchema = Type.Object({
  name: Type.Optional(Type.String({ description: 'Name of this match.' })),
  uri: Type.Optional(RouteStringMatch),
  scheme: Type.Optional(RouteStringMatch),
  method: Type.Optional(RouteStringMatch),
  authority: Type.Optional(RouteStringMatch),
  headers: Type.Optional(MapOf(RouteStringMatch)),
  queryParams: Type.Optional(MapOf(RouteStringMatch)),
  withoutHeaders: Type.Optional(MapOf(RouteStringMatch, { description: 'Headers that must not match.' })),
  port: Type.Optional(Type.Integer({ description: 'Port on the host being addressed.' })),
  sourceLabels: Type.Optional(StringMap()),
  gateways: Type.Optional(StringList({ description: 'Gateways the match applies to.' })),
  ignoreUriCase: Type.Optional(Type.Boolean()),
  sourceNamespace: Type.Optional(Type.String()),
});

/**
 * analysis.match entries (A/B testing conditions). Quirk Q17: Flagger's Go type is the full HTTPMatchRequest,
 * but its CRD allows only these three fields (uri/method are pruned); we follow the CRD.
 */
export const AnalysisMatchSchema = Type.Object({
  headers: Type.Optional(MapOf(StringMatch(['exact', 'prefix', 'suffix', 'regex'], { optional: false }))),
  queryParams: Type.Optional(MapOf(RouteStringMatch)),
  sourceLabels: Type.Optional(
    StringMap({ description: "Only used when the 'mesh' gateway is in service.gateways." }),
  ),
});

const HeaderOperationsSchema = Type.Object({
  add: Type.Optional(StringMap()),
  set: Type.Optional(StringMap()),
  remove: Type.Optional(StringList()),
});

export const HeadersSchema = Type.Object(
  {
    request: Type.Optional(HeaderOperationsSchema),
    response: Type.Optional(HeaderOperationsSchema),
  },
  { description: 'Request and response header changes on the route.' },
);

export const RewriteSchema = Type.Object(
  {
    uri: Type.Optional(Type.String()),
    authority: Type.Optional(Type.String()),
    type: Type.Optional(Type.String({ description: 'ReplacePrefixMatch, or (default) ReplaceFullPath.' })),
  },
  { description: 'URI and authority rewrite.' },
);

export const RetriesSchema = Type.Object(
  {
    attempts: Type.Optional(Int32({ description: 'Retries per request.' })),
    perTryTimeout: Type.Optional(Type.String()),
    retryOn: Type.Optional(Type.String({ description: 'Comma-separated retry conditions.' })),
  },
  { description: 'HTTP retry policy.' },
);

export const CorsPolicySchema = Type.Object(
  {
    allowOrigin: Type.Optional(StringList()),
    allowOrigins: Type.Optional(Type.Array(StringMatch(['exact', 'prefix', 'regex'], { optional: false }))),
    allowMethods: Type.Optional(StringList()),
    allowHeaders: Type.Optional(StringList()),
    exposeHeaders: Type.Optional(StringList()),
    maxAge: Type.Optional(Type.String()),
    allowCredentials: Type.Optional(Type.Boolean()),
  },
  { description: 'Cross-origin resource sharing policy.' },
);

/** Several optional fields of one type, for the many flat objects of the traffic policy. */
function optionalFields<T extends TSchema, const K extends string>(make: () => T, ...names: K[]) {
  return Object.fromEntries(names.map(name => [name, Type.Optional(make())])) as Record<K, TOptional<T>>;
}

const ConnectionPoolSchema = Type.Object({
  // Quirk Q17: Flagger's Go type also has `tcp`, but its CRD does not, so the API server prunes it.
  http: Type.Optional(
    Type.Object({
      h2UpgradePolicy: Type.Optional(StringEnum(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'])),
      idleTimeout: Type.Optional(Type.String()),
      ...optionalFields(
        Int32,
        'http1MaxPendingRequests',
        'http2MaxRequests',
        'maxRequestsPerConnection',
        'maxRetries',
      ),
    }),
  ),
});

const LocalityLbSettingSchema = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  distribute: Type.Optional(
    Type.Array(Type.Object({ from: Type.Optional(Type.String()), to: Type.Optional(MapOf(Type.Integer())) })),
  ),
  // Quirk Q17: the Go type's failover_priority is not in the CRD.
  failover: Type.Optional(Type.Array(Type.Object(optionalFields(Type.String, 'from', 'to')))),
});

const ConsistentHashSchema = Type.Object({
  httpCookie: Type.Optional(Type.Object(optionalFields(Type.String, 'name', 'path', 'ttl'))),
  httpHeaderName: Type.Optional(Type.String()),
  // Quirk Q17: in the CRD but not in Flagger's Go type, which drops it; kept so such objects still apply.
  httpQueryParameterName: Type.Optional(Type.String()),
  minimumRingSize: Type.Optional(Type.Integer()),
  useSourceIp: Type.Optional(Type.Boolean()),
});

const LoadBalancerSchema = Type.Object(
  {
    simple: Type.Optional(
      StringEnum(['ROUND_ROBIN', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'LEAST_REQUEST']),
    ),
    consistentHash: Type.Optional(ConsistentHashSchema),
    localityLbSetting: Type.Optional(LocalityLbSettingSchema),
    warmupDurationSecs: Type.Optional(Type.String()),
  },
  {
    // As Flagger's CRD: either `simple`, or a `consistentHash` that sets exactly one hash key. The inner
    // `properties` only re-states a declared field with a value check, which structural schemas allow.
    oneOf: [
      { required: ['simple'] },
      {
        required: ['consistentHash'],
        properties: {
          consistentHash: oneOfRequired(
            ['httpHeaderName'],
            ['httpCookie'],
            ['useSourceIp'],
            ['httpQueryParameterName'],
          ),
        },
      },
    ],
  },
);

const OutlierDetectionSchema = Type.Object({
  ...optionalFields(Type.String, 'baseEjectionTime', 'interval'),
  consecutive5xxErrors: Type.Optional(Type.Integer()),
  ...optionalFields(
    Int32,
    'consecutiveErrors',
    'consecutiveGatewayErrors',
    'consecutiveLocalOriginFailures',
    'maxEjectionPercent',
    'minHealthPercent',
  ),
  splitExternalLocalOriginErrors: Type.Optional(Type.Boolean()),
});

const ClientTlsSchema = Type.Object({
  mode: Type.Optional(StringEnum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'])),
  ...optionalFields(Type.String, 'caCertificates', 'clientCertificate', 'privateKey', 'sni'),
  subjectAltNames: Type.Optional(StringList()),
});

/** Istio DestinationRule traffic policy, applied to the primary and canary DestinationRules. */
export const TrafficPolicySchema = Type.Object(
  {
    // Quirk Q17: the Go type's portLevelSettings is not in the CRD.
    connectionPool: Type.Optional(ConnectionPoolSchema),
    loadBalancer: Type.Optional(LoadBalancerSchema),
    outlierDetection: Type.Optional(OutlierDetectionSchema),
    tls: Type.Optional(ClientTlsSchema),
  },
  { description: 'Istio DestinationRule traffic policy.' },
);
