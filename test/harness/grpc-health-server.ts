// A gRPC server on 127.0.0.1 with the standard health service (grpc.health.v1.Health, from the health.proto the
// load tester ships) and, on request, server reflection: the kind of service ghz and grpc_health_probe test.
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HEALTH_PROTO_PATH } from '../../src/loadtester/grpc/health-proto.ts';
import {
  healthService,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type ServingStatus,
} from '../../src/loadtester/grpc/health-service.ts';

export interface HealthServer {
  /** host:port. */
  addr: string;
  /** Service name -> status; "" is the server as a whole. Services not in the map answer NOT_FOUND. */
  statuses: Map<string, ServingStatus>;
  /** The `service` of every Check received, and its metadata (each key's values). */
  checks: { service: string; metadata: Record<string, unknown[]> }[];
  stop(): Promise<void>;
}

export async function startHealthServer(options: { reflection?: boolean } = {}): Promise<HealthServer> {
  const server = new Server();
  const statuses = new Map<string, ServingStatus>([['', 'SERVING']]);
  const checks: HealthServer['checks'] = [];
  server.addService(healthService(), {
    Check(
      call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
      done: sendUnaryData<HealthCheckResponse>,
    ) {
      checks.push({ service: call.request.service, metadata: call.metadata.toJSON() });
      const current = statuses.get(call.request.service);
      if (current === undefined) done({ code: status.NOT_FOUND, details: 'unknown service' });
      else done(null, { status: current });
    },
  });
  if (options.reflection) new ReflectionService(loadSync(HEALTH_PROTO_PATH)).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  return {
    addr: `127.0.0.1:${port}`,
    statuses,
    checks,
    stop: () => new Promise(resolve => server.tryShutdown(() => resolve())),
  };
}
