// Gateway API references embedded in Canary.spec.service: the HTTPRoute parents (gatewayRefs) and the
// RequestMirror backends (mirror). Validations mirror the Gateway API ones that Flagger's CRD copies.
import { Type } from 'typebox';

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** Gateway API Group: empty (the core group) or a DNS subdomain. */
function Group(options: { default?: string }) {
  return Type.String({ ...options, maxLength: 253, pattern: `^$|${DNS_SUBDOMAIN}` });
}

function Kind(options: { default: string }) {
  return Type.String({
    ...options,
    minLength: 1,
    maxLength: 63,
    pattern: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$',
  });
}

const ObjectName = Type.String({ minLength: 1, maxLength: 253 });
const Namespace = Type.String({ minLength: 1, maxLength: 63, pattern: DNS_LABEL });
const PortNumber = Type.Integer({ format: 'int32', minimum: 1, maximum: 65535 });

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** service.gatewayRefs[]: HTTPRoute parentRefs. */
export const ParentReferenceSchema = Type.Object({
  group: Type.Optional(Group({ default: GATEWAY_API_GROUP })),
  kind: Type.Optional(Kind({ default: 'Gateway' })),
  name: ObjectName,
  namespace: Type.Optional(Namespace),
  sectionName: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN })),
  port: Type.Optional(PortNumber),
});

/** service.mirror[]: an extra RequestMirror filter on the generated HTTPRoute. */
export const MirrorSchema = Type.Object({
  backendRef: Type.Object({
    // No `default: ""` here, unlike Flagger's CRD: Kubernetes 1.20 rejects empty-string defaults, which is
    // why Flagger's CRD does not install there. defaults.ts fills the empty group in instead.
    group: Type.Optional(Group({})),
    kind: Type.Optional(Kind({ default: 'Service' })),
    name: ObjectName,
    namespace: Type.Optional(Namespace),
    // Flagger's CEL rule "Must have port for Service reference" is checked in validate.ts (no CEL on 1.20).
    port: Type.Optional(PortNumber),
  }),
});
