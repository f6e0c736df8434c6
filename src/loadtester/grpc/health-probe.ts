// grpc_health_probe: calls grpc.health.v1.Health/Check once and exits with the original's codes, printing its
// messages to stderr as Go's log package does (`status: SERVING`).
import {
  Client,
  compressionAlgorithms,
  Metadata,
  status as grpcStatus,
  type ChannelOptions,
} from '@grpc/grpc-js';
import { formatDuration } from '../../api/duration.ts';
import { GoFlagError } from '../../util/go-flags.ts';
import { VERSION } from '../../version.ts';
import { PLAINTEXT, TlsSetupError, tlsTransport, type TlsFailure, type Transport } from './credentials.ts';
import {
  HEALTH_PROBE_FLAGS,
  parseHealthProbeArgs,
  ProbeArgumentError,
  type HealthProbeOptions,
} from './health-probe-flags.ts';
import { healthCheckMethod, type HealthCheckRequest, type HealthCheckResponse } from './health-service.ts';
import { goStatusError, isServiceError } from './status.ts';

export const PROBE_EXIT = {
  serving: 0,
  invalidArguments: 1,
  connectionFailure: 2,
  rpcFailure: 3,
  unhealthy: 4,
  spiffeFailed: 20,
} as const;

const TLS_FAILURES: Record<TlsFailure, (file: string, reason: string) => string> = {
  'client-pair': (_file, reason) => `failed to load tls client cert/key pair. error=${reason}`,
  'ca-read': (file, reason) => `failed to load root CA certificates from file (${file}) error=${reason}`,
  'ca-parse': file => `no root CA certs parsed from file ${file}`,
};

export interface ProbeIO {
  /** One line of Go's log output (stderr). */
  log(line: string): void;
  /** stdout, for -version. */
  print(text: string): void;
}

/** Runs the probe with argv (without node and the script); resolves to the exit code. */
export async function runHealthProbe(argv: readonly string[], io: ProbeIO): Promise<number> {
  let options: HealthProbeOptions;
  try {
    options = parseHealthProbeArgs(argv);
  } catch (err) {
    if (err instanceof GoFlagError || (err instanceof ProbeArgumentError && err.usage)) {
      if (err.message !== '') io.log(err.message);
      io.log(HEALTH_PROBE_FLAGS.usage().trimEnd());
      return PROBE_EXIT.invalidArguments;
    }
    if (err instanceof ProbeArgumentError) {
      io.log(err.message);
      return PROBE_EXIT.invalidArguments;
    }
    throw err;
  }
  if (options.version) {
    io.print(`flagger-ts ${VERSION}\n`);
    return PROBE_EXIT.serving;
  }
  if (options.verbose) logOptions(options, io);
  const transport = await transportFor(options, io);
  if (typeof transport === 'number') return transport;
  return probe(options, transport, io);
}

/** The probe's transport, or the exit code when there is none it can use. */
async function transportFor(options: HealthProbeOptions, io: ProbeIO): Promise<Transport | number> {
  if (options.tls && options.spiffe) {
    io.log('-tls and -spiffe are mutually incompatible');
    return PROBE_EXIT.invalidArguments;
  }
  if (options.spiffe) {
    io.log('failed to initialize tls credentials with spiffe. error=SPIFFE is not supported by this probe');
    return PROBE_EXIT.spiffeFailed;
  }
  if (options.alts) {
    io.log('error: -alts is not supported by this probe');
    return PROBE_EXIT.invalidArguments;
  }
  if (!options.tls) return PLAINTEXT;
  try {
    return await tlsTransport(options.tls);
  } catch (err) {
    if (!(err instanceof TlsSetupError)) throw err;
    io.log(`failed to initialize tls credentials. error=${TLS_FAILURES[err.failure](err.file, err.message)}`);
    return PROBE_EXIT.invalidArguments;
  }
}

async function probe(options: HealthProbeOptions, transport: Transport, io: ProbeIO): Promise<number> {
  const channelOptions: ChannelOptions = {
    ...transport.options,
    'grpc.primary_user_agent': options.userAgent,
    ...(options.gzip && { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip }),
  };
  if (options.verbose) io.log('establishing connection');
  const connectStart = performance.now();
  let client: Client;
  try {
    client = new Client(options.addr, transport.credentials, channelOptions);
  } catch (err) {
    io.log(`error: failed to connect service at ${JSON.stringify(options.addr)}: ${(err as Error).message}`);
    return PROBE_EXIT.connectionFailure;
  }
  try {
    const connected = await new Promise<boolean>(resolve =>
      client.waitForReady(Date.now() + options.connectTimeoutMs, err => resolve(err === undefined)),
    );
    if (!connected) {
      io.log(
        `timeout: failed to connect service ${JSON.stringify(options.addr)} within ${formatDuration(options.connectTimeoutMs)}`,
      );
      return PROBE_EXIT.connectionFailure;
    }
    const connectMs = performance.now() - connectStart;
    if (options.verbose) io.log(`connection established (took ${formatDuration(connectMs)})`);
    const rpcStart = performance.now();
    const result = await check(client, options);
    if (result instanceof Error) return reportRpcFailure(result, options, io);
    if (result.status !== 'SERVING') {
      io.log(`service unhealthy (responded with ${JSON.stringify(result.status)})`);
      return PROBE_EXIT.unhealthy;
    }
    if (options.verbose) {
      const rpcMs = performance.now() - rpcStart;
      io.log(`time elapsed: connect=${formatDuration(connectMs)} rpc=${formatDuration(rpcMs)}`);
    }
    io.log(`status: ${result.status}`);
    return PROBE_EXIT.serving;
  } finally {
    client.close();
  }
}

function check(client: Client, options: HealthProbeOptions): Promise<HealthCheckResponse | Error> {
  const method = healthCheckMethod();
  const metadata = new Metadata();
  for (const [name, value] of options.rpcHeaders) metadata.add(name, value);
  return new Promise(resolve => {
    client.makeUnaryRequest<HealthCheckRequest, HealthCheckResponse>(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      { service: options.service },
      metadata,
      { deadline: Date.now() + options.rpcTimeoutMs },
      (err, response) => resolve(err ?? response ?? new Error('empty response')),
    );
  });
}

function reportRpcFailure(err: Error, options: HealthProbeOptions, io: ProbeIO): number {
  if (isServiceError(err) && err.code === grpcStatus.UNIMPLEMENTED) {
    io.log(
      `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`,
    );
  } else if (isServiceError(err) && err.code === grpcStatus.DEADLINE_EXCEEDED) {
    io.log(`timeout: health rpc did not complete within ${formatDuration(options.rpcTimeoutMs)}`);
  } else {
    io.log(`error: health rpc failed: ${isServiceError(err) ? goStatusError(err) : err.message}`);
  }
  return PROBE_EXIT.rpcFailure;
}

function logOptions(options: HealthProbeOptions, io: ProbeIO): void {
  io.log('parsed options:');
  io.log(
    `> addr=${options.addr} conn_timeout=${formatDuration(options.connectTimeoutMs)} ` +
      `rpc_timeout=${formatDuration(options.rpcTimeoutMs)}`,
  );
  if (options.rpcHeaders.length > 0)
    io.log(
      `> headers: ${options.rpcHeaders.map(([name, value]) => `${name.toLowerCase()}:${value}`).join(' ')}`,
    );
  io.log(`> tls=${String(options.tls !== undefined)}`);
  if (options.tls) {
    io.log(`  > no-verify=${String(options.tls.skipVerify)} `);
    io.log(`  > ca-cert=${options.tls.caCertFile}`);
    io.log(`  > client-cert=${options.tls.clientCertFile}`);
    io.log(`  > client-key=${options.tls.clientKeyFile}`);
    io.log(`  > server-name=${options.tls.serverName}`);
  }
  io.log(`> alts=${String(options.alts)}`);
  io.log(`> spiffe=${String(options.spiffe)}`);
}
