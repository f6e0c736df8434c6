// The grpc.health.v1 service of health.proto, loaded once: grpc_health_probe calls it and tests serve it.
import { loadSync, type MethodDefinition, type ServiceDefinition } from '@grpc/proto-loader';
import { HEALTH_PROTO_PATH } from './health-proto.ts';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

export interface HealthCheckRequest {
  service: string;
}

export interface HealthCheckResponse {
  status: ServingStatus;
}

let loaded: ServiceDefinition | undefined;

/** The Health service definition, with enums as their names and fields under their proto names. */
export function healthService(): ServiceDefinition {
  loaded ??= loadSync(HEALTH_PROTO_PATH, { keepCase: true, enums: String, defaults: true })[
    'grpc.health.v1.Health'
  ] as ServiceDefinition;
  return loaded;
}

/** Health/Check, typed. */
export function healthCheckMethod(): MethodDefinition<HealthCheckRequest, HealthCheckResponse> {
  const method = healthService().Check;
  if (!method) throw new Error(`${HEALTH_PROTO_PATH} has no Check method`);
  return method as MethodDefinition<HealthCheckRequest, HealthCheckResponse>;
}
