// The parts of the Gateway API HTTPRoute (gateway.networking.k8s.io v1 and v1beta1, which share the shape) that
// Flagger writes and reads. A route taken over from a user may hold more; it travels as unknown fields.
import type { GatewayParentReference } from '../api/canary.ts';
import type { KubeObject } from '../kube/types.ts';

/** What differs between the two HTTPRoute versions Flagger writes. */
export interface GatewayApiVersion {
  apiVersion: string;
  /** Rule timeouts (service.timeout, service.backendTimeout), CORS, the primary session affinity cookie, and the
   * parents' Accepted check in getRoutes: Flagger's v1 router has them, its v1beta1 router does not. */
  v1Features: boolean;
}

export const GATEWAY_API_V1: GatewayApiVersion = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  v1Features: true,
};

export const GATEWAY_API_V1BETA1: GatewayApiVersion = {
  apiVersion: 'gateway.networking.k8s.io/v1beta1',
  v1Features: false,
};

export interface NameValue {
  name: string;
  value: string;
}

export interface HeaderMatch extends NameValue {
  type: 'Exact' | 'RegularExpression';
}

export interface RouteMatch {
  path?: { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string };
  method?: string;
  headers?: HeaderMatch[];
  queryParams?: HeaderMatch[];
}

export interface HeaderModifier {
  add?: NameValue[];
  set?: NameValue[];
  remove?: string[];
}

export interface ObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface CorsFilter {
  allowOrigins?: string[];
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
  allowCredentials?: boolean;
}

export interface RouteFilter {
  type: string;
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  urlRewrite?: {
    hostname?: string;
    path?: { type: string; replaceFullPath?: string; replacePrefixMatch?: string };
  };
  requestMirror?: { backendRef: ObjectReference };
  cors?: CorsFilter;
}

export interface BackendRef extends ObjectReference {
  weight?: number;
  filters?: RouteFilter[];
}

export interface RouteRule {
  matches?: RouteMatch[];
  filters?: RouteFilter[];
  backendRefs?: BackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
  [field: string]: unknown;
}

export interface HttpRouteSpec {
  parentRefs?: GatewayParentReference[];
  hostnames?: string[];
  rules?: RouteRule[];
  [field: string]: unknown;
}

export interface RouteCondition {
  type: string;
  status: string;
  observedGeneration?: number;
}

export interface HttpRoute extends KubeObject {
  spec?: HttpRouteSpec;
  status?: { parents?: { parentRef?: GatewayParentReference; conditions?: RouteCondition[] }[] };
}
