// The parts of Istio's networking.istio.io/v1beta1 VirtualService and DestinationRule that Flagger writes and
// reads. Specs taken over from users may hold more (tls, exportTo, ...); those travel as unknown fields.
import type { CanaryService, HttpMatchRequest } from '../api/canary.ts';
import type { KubeObject } from '../kube/types.ts';

export const ISTIO_API_VERSION = 'networking.istio.io/v1beta1';

type StringMatch = Partial<Record<'exact' | 'prefix' | 'suffix' | 'regex', string>>;

/** A route match: service.match entries, analysis.match entries (which may use `suffix`), and cookie matches. */
export type HttpMatch = Omit<HttpMatchRequest, 'headers' | 'queryParams'> & {
  headers?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
};

export type HeaderOperations = NonNullable<NonNullable<CanaryService['headers']>['response']>;

export interface Destination {
  host: string;
  port?: { number: number };
}

export interface RouteDestination {
  destination: Destination;
  weight?: number;
  headers?: { request?: HeaderOperations; response?: HeaderOperations };
}

export interface HttpRoute {
  name?: string;
  match?: HttpMatch[];
  route?: RouteDestination[];
  rewrite?: { uri?: string; authority?: string };
  timeout?: string;
  retries?: CanaryService['retries'];
  corsPolicy?: CanaryService['corsPolicy'];
  headers?: CanaryService['headers'];
  mirror?: Destination;
  mirrorPercentage?: { value: number };
}

export interface TcpRoute {
  match?: { port?: number }[];
  route?: RouteDestination[];
}

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HttpRoute[];
  tcp?: TcpRoute[];
  [field: string]: unknown;
}

export interface VirtualService extends KubeObject {
  spec?: VirtualServiceSpec;
}

export interface DestinationRule extends KubeObject {
  spec?: { host?: string; trafficPolicy?: CanaryService['trafficPolicy']; [field: string]: unknown };
}
