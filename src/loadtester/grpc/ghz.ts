// ghz, the gRPC load generator of Flagger's load tester image: parses ghz's command line, finds the method in
// --proto or by server reflection, runs the load and prints ghz's report. Exits 0 once the report is printed
// (failed calls are part of the report, as in ghz), 1 when the run cannot start.
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Client, compressionAlgorithms, type ChannelOptions } from '@grpc/grpc-js';
import { VERSION } from '../../version.ts';
import { PLAINTEXT, TlsSetupError, tlsTransport, type TlsFailure, type Transport } from './credentials.ts';
import { GhzConfigError, ghzConfig, GhzRunError, type GhzConfig } from './ghz-config.ts';
import { ghzUsage, GhzUsageError, parseGhzCommandLine } from './ghz-flags.ts';
import { formatReport } from './ghz-printer.ts';
import { buildReport } from './ghz-report.ts';
import { runLoad } from './ghz-runner.ts';
import { methodFromProtoFile, type GrpcMethod } from './method.ts';
import { methodFromReflection } from './reflection.ts';

export interface GhzIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

// ghz lifts grpc-go's message size limits (to MaxInt32); -1 is grpc-js's "unlimited".
const UNLIMITED = -1;

const TLS_FAILURES: Record<TlsFailure, (reason: string) => string> = {
  'client-pair': reason => `could not load client key pair: ${reason}`,
  'ca-read': reason => `could not read ca certificate: ${reason}`,
  'ca-parse': () => 'failed to append ca certs',
};

/** Runs ghz with argv (without node and the script); `cancel` (Ctrl-C) ends the load and prints the report. */
export async function runGhz(argv: readonly string[], io: GhzIO, cancel?: AbortSignal): Promise<number> {
  let config: GhzConfig;
  try {
    const line = parseGhzCommandLine(argv);
    if (line.help) {
      io.stderr(ghzUsage());
      return 0;
    }
    if (line.version) {
      io.stderr(`flagger-ts ${VERSION}\n`);
      return 0;
    }
    config = await ghzConfig(line);
  } catch (err) {
    if (err instanceof GhzUsageError) io.stderr(`ghz: error: ${err.message}, try --help\n`);
    else if (err instanceof GhzConfigError) io.stderr(`ghz: error: ${err.message}\n`);
    else if (err instanceof GhzRunError) io.stderr(`${err.message}\n`);
    else throw err;
    return 1;
  }
  try {
    return await run(config, io, cancel);
  } catch (err) {
    if (!(err instanceof GhzRunError)) throw err;
    io.stderr(`${err.message}\n`);
    return 1;
  }
}

async function run(config: GhzConfig, io: GhzIO, cancel?: AbortSignal): Promise<number> {
  const transport = await transportOf(config);
  const options: ChannelOptions = {
    ...transport.options,
    'grpc.max_receive_message_length': UNLIMITED,
    'grpc.max_send_message_length': UNLIMITED,
    ...(config.authority !== '' && { 'grpc.default_authority': config.authority }),
    ...(config.keepaliveMs > 0 && {
      'grpc.keepalive_time_ms': config.keepaliveMs,
      'grpc.keepalive_timeout_ms': config.keepaliveMs,
    }),
    ...(config.enableCompression && { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip }),
  };
  let client: Client;
  try {
    client = new Client(config.host, transport.credentials, options);
  } catch (err) {
    throw new GhzRunError((err as Error).message);
  }
  try {
    const method =
      config.proto !== ''
        ? methodFromProtoFile(config.call, config.proto, config.importPaths)
        : await methodFromReflection(client, config.call, config.reflectMetadata, config.connectTimeoutMs);
    if (method.clientStreaming || method.serverStreaming)
      throw new GhzRunError(`${config.call}: streaming calls are not supported by this ghz, only unary ones`);
    const outcome = await runLoad(
      client,
      {
        path: method.path,
        messages: encode(method, config.data),
        metadata: config.metadata,
        total: config.total,
        concurrency: config.concurrency,
        rps: config.rps,
        timeoutMs: config.timeoutMs,
        durationMs: config.durationMs,
        maxDurationMs: config.maxDurationMs,
        durationStop: config.durationStop,
        skipFirst: config.skipFirst,
      },
      cancel,
    );
    const report = buildReport({
      ...outcome,
      countErrors: config.countErrors,
      name: config.name,
      options: reportOptions(config),
      tags: config.tags,
      date: new Date(),
    });
    const text = formatReport(report, config.format);
    if (config.output === '') io.stdout(text);
    else
      await writeFile(config.output, text).catch((err: unknown) =>
        Promise.reject(new GhzRunError(err instanceof Error ? err.message : String(err))),
      );
    return 0;
  } finally {
    client.close();
  }
}

async function transportOf(config: GhzConfig): Promise<Transport> {
  if (config.insecure) return PLAINTEXT;
  try {
    return await tlsTransport(config.tls);
  } catch (err) {
    if (err instanceof TlsSetupError) throw new GhzRunError(TLS_FAILURES[err.failure](err.message));
    throw err;
  }
}

function encode(method: GrpcMethod, data: readonly Record<string, unknown>[]): Buffer[] {
  return data.map(message => {
    try {
      return method.serialize(message);
    } catch (err) {
      throw new GhzRunError(
        `Error creating message from data. Data: '${JSON.stringify(message)}' Error: ${(err as Error).message}`,
      );
    }
  });
}

/** The `options` of ghz's JSON report: its field names and order, zero values omitted where ghz omits them. */
function reportOptions(config: GhzConfig): Record<string, unknown> {
  const ns = (ms: number) => Math.round(ms * 1e6);
  const omitEmpty = (entries: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(entries).filter(
        ([, value]) => value !== '' && value !== 0 && value !== false && value !== undefined,
      ),
    );
  return {
    ...omitEmpty({
      call: config.call,
      host: config.host,
      proto: config.proto,
      'import-paths': config.importPaths.length > 0 ? config.importPaths : undefined,
      'enable-compression': config.enableCompression,
      cacert: config.tls.caCertFile,
      cert: config.tls.clientCertFile,
      key: config.tls.clientKeyFile,
      cname: config.tls.serverName,
      skipTLS: config.tls.skipVerify,
    }),
    insecure: config.insecure,
    ...omitEmpty({ authority: config.authority, rps: config.rps }),
    'load-schedule': 'const',
    'load-start': 0,
    'load-end': 0,
    'load-step': 0,
    'load-step-duration': 0,
    'load-max-duration': 0,
    ...omitEmpty({ concurrency: config.concurrency }),
    'concurrency-schedule': 'const',
    'concurrency-start': 0,
    'concurrency-end': 0,
    'concurrency-step': 1,
    'concurrency-step-duration': 0,
    'concurrency-max-duration': 0,
    ...omitEmpty({
      total: Number.isFinite(config.total) ? config.total : 2 ** 31 - 1,
      connections: 1,
      duration: ns(config.durationMs),
      timeout: ns(config.timeoutMs),
      'dial-timeout': ns(config.connectTimeoutMs),
      keepalive: ns(config.keepaliveMs),
      data: config.rawData,
    }),
    binary: false,
    ...omitEmpty({ metadata: config.metadata }),
    CPUs: availableParallelism(),
    ...omitEmpty({ name: config.name, skipFirst: config.skipFirst, 'count-errors': config.countErrors }),
  };
}
