// The `flagger-loadtester` binary: parses Flagger's load tester flags, opens the gate store, serves the API
// until SIGINT or SIGTERM, then stops gracefully (running tasks are ended, gate state is already stored).
import { readFileSync } from 'node:fs';
import { connect } from '../kube/config.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { ConfigMapGateStore } from '../loadtester/configmap-gate-store.ts';
import { FileGateStore, MemoryGateStore, type GateStore } from '../loadtester/gate-store.ts';
import { provideHealthProto } from '../loadtester/grpc/health-proto.ts';
import {
  FlagError,
  loadTesterUsage,
  parseLoadTesterFlags,
  type GateStorageSpec,
} from '../loadtester/flags.ts';
import { LoadTesterServer } from '../loadtester/server.ts';
import { VERSION } from '../version.ts';

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

async function main(argv: string[]): Promise<number> {
  let flags;
  try {
    flags = parseLoadTesterFlags(argv);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`${err.message}\nUsage of flagger-loadtester:\n${loadTesterUsage()}\n`);
    return 2;
  }
  if (flags.help) {
    process.stderr.write(`Usage of flagger-loadtester:\n${loadTesterUsage()}\n`);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const logger = createLogger({ level: flags.logLevel, encoding: flags.zapEncoding });
  // Before the API serves the tasks that use it; not after, where an await would delay the signal handlers.
  await provideGhzProto(logger);
  let gates: GateStore;
  let server: LoadTesterServer;
  try {
    gates = await openGateStore(flags.gateStorage, flags.kubeconfig);
    server = await LoadTesterServer.start({
      port: flags.port,
      timeoutMs: flags.timeoutMs,
      namespaceRegexp: flags.namespaceRegexp,
      allowedNamespaces: flags.allowedNamespaces,
      disabledTaskTypes: flags.disabledTaskTypes,
      maxOutputBytes: flags.maxOutputBytes,
      authTokenFile: flags.authTokenFile,
      gates,
      logger,
    });
  } catch (err) {
    // A corrupt gate file, a port in use: nothing to serve, so say why and exit like Flagger's Fatalf.
    logger.fatal(`Starting the load tester failed: ${err instanceof Error ? err.message : String(err)}`);
    await flush(logger);
    return 1;
  }
  logger.info(`Starting load tester v${VERSION} API on port ${server.port}`);
  logger.info(`Gate storage: ${gates.description}`);
  for (const limit of server.limits.describe()) logger.info(limit);

  const signal = await new Promise<string>(resolve => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve(s));
  });
  logger.info(`Received ${signal}, shutting down`);
  await server.stop();
  await flush(logger);
  return 0;
}

async function openGateStore(spec: GateStorageSpec, kubeconfig: string): Promise<GateStore> {
  switch (spec.kind) {
    case 'in-memory':
      return new MemoryGateStore();
    case 'file':
      return FileGateStore.open(spec.path);
    case 'configmap':
      return new ConfigMapGateStore(
        connect({ kubeconfig: kubeconfig || undefined, fieldManager: 'flagger-loadtester' }),
        spec.namespace ?? ownNamespace(),
        spec.name,
      );
  }
}

/** The namespace the load tester runs in: POD_NAMESPACE, else the service account's, else "default". */
function ownNamespace(): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || 'default';
  } catch {
    return 'default';
  }
}

/** Flagger's image has /tmp/ghz/health.proto, which its ghz examples load; here /tmp is a volume, filled at start. */
async function provideGhzProto(logger: Logger): Promise<void> {
  try {
    logger.info(`gRPC health service definition for ghz: ${await provideHealthProto()}`);
  } catch (err) {
    logger.warn(`Placing health.proto for ghz failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function flush(logger: Logger): Promise<void> {
  return new Promise(resolve => logger.flush(() => resolve()));
}

process.exitCode = await main(process.argv.slice(2));
