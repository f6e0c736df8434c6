// `flagger [flags]`: runs the controller, out of cluster with -kubeconfig or in cluster with the service
// account, until SIGINT/SIGTERM.
import { connect } from '../kube/config.ts';
import { createLogger } from '../logging/logger.ts';
import { VERSION } from '../version.ts';
import { PrometheusTelemetry } from '../controller/telemetry.ts';
import { ControllerRuntime, optionsFromFlags } from './controller-runtime.ts';
import { parseFlags, usage } from './flags.ts';
import { startHttpServer } from './http-server.ts';

export async function runController(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help') || argv.includes('-help')) {
    process.stdout.write(`Usage of flagger:\n${usage()}\n`);
    return 0;
  }
  const flags = parseFlags(argv);
  if (flags.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const logger = createLogger({ level: flags['log-level'], encoding: flags['zap-encoding'] });
  const kube = connect({ kubeconfig: flags.kubeconfig || undefined, master: flags.master || undefined });
  const meshKube = flags['kubeconfig-service-mesh']
    ? connect({ kubeconfig: flags['kubeconfig-service-mesh'] })
    : kube;
  const version = await kube.serverVersion();
  logger.info(
    `Starting flagger version ${VERSION} on Kubernetes ${version.gitVersion} with mesh provider ${flags['mesh-provider']}`,
  );

  const telemetry = new PrometheusTelemetry(flags['mesh-provider']);
  kube.onResponse((method, code) => telemetry.countApiRequest(method, code));
  let ready = false;
  const server = await startHttpServer({
    port: Number(flags.port),
    registry: telemetry.registry,
    ready: () => ready,
  });

  const runtime = await ControllerRuntime.start({
    ...optionsFromFlags(flags, kube, logger),
    meshKube,
    telemetry,
  });
  ready = true;
  logger.info(
    `Started canary controller${flags['dry-run'] ? ' in dry-run mode: nothing will be changed' : ''}`,
  );

  const signal = await new Promise<string>(resolve => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve(s));
  });
  logger.info(`Received ${signal}, shutting down`);
  ready = false;
  await runtime.stop();
  await new Promise(resolve => server.close(resolve));
  return 0;
}
