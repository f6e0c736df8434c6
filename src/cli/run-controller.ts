// `flagger [flags]`: runs the controller, out of cluster with -kubeconfig or in cluster with the service
// account, until SIGINT/SIGTERM.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../kube/client.ts';
import { connect } from '../kube/config.ts';
import { LeaderElector } from '../kube/leader-election.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { GoFlagError } from '../util/go-flags.ts';
import { VERSION } from '../version.ts';
import { PrometheusTelemetry } from '../controller/telemetry.ts';
import { ControllerRuntime, optionsFromFlags } from './controller-runtime.ts';
import { durationFlag, flagProblems } from './flag-checks.ts';
import { parseFlags, usage, type Flags } from './flags.ts';
import { startHttpServer } from './http-server.ts';

/** How long a shutdown waits for running ticks. */
const SHUTDOWN_GRACE_MS = 20_000;

export async function runController(argv: string[]): Promise<number> {
  const flags = readFlags(argv);
  if (typeof flags === 'number') return flags;
  const logger = createLogger({ level: flags['log-level'], encoding: flags['zap-encoding'] });
  const rateLimit = { qps: flags['kubeconfig-qps'], burst: flags['kubeconfig-burst'] };
  const kube = connect({
    kubeconfig: flags.kubeconfig || undefined,
    master: flags.master || undefined,
    rateLimit,
  });
  const meshKube = flags['kubeconfig-service-mesh']
    ? connect({ kubeconfig: flags['kubeconfig-service-mesh'], rateLimit })
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

  const shutdown = new AbortController();
  const signal = new Promise<string>(resolve => {
    for (const s of ['SIGINT', 'SIGTERM'] as const)
      process.once(s, () => {
        shutdown.abort();
        resolve(s);
      });
  });
  const elector = flags['enable-leader-election'] ? leaderElector(flags, kube, logger) : undefined;
  if (elector !== undefined) {
    // A follower is healthy and ready: it stands by.
    ready = true;
    try {
      await elector.acquire(shutdown.signal);
    } catch {
      logger.info(`Received ${await signal} while waiting for the lease, shutting down`);
      await new Promise(resolve => server.close(resolve));
      return 0;
    }
    logger.info(`Leading as ${elector.identity}`);
  }
  const runtime = await ControllerRuntime.start({
    ...optionsFromFlags(flags, kube, logger),
    minAnalysisIntervalMs: durationFlag(flags, 'min-analysis-interval'),
    idleResyncMs: durationFlag(flags, 'idle-resync-interval'),
    meshKube,
    telemetry,
  });
  ready = true;
  logger.info(
    `Started canary controller${flags['dry-run'] ? ' in dry-run mode: nothing will be changed' : ''}`,
  );

  const held = elector?.hold(shutdown.signal);
  const ended = await Promise.race([signal, ...(held === undefined ? [] : [held])]);
  if (ended === 'lost') {
    // As Flagger (client-go's OnStoppedLeading): stop acting at once; the new leader carries on from the status.
    logger.error('Leader election lost');
    process.exit(1);
  }
  logger.info(`Received ${await signal}, shutting down`);
  ready = false;
  // The running ticks may finish (bounded below Kubernetes' 30s grace period); one cut short is safe, since every
  // step is recorded in the Canary's status before the next begins.
  await Promise.race([runtime.stop(), sleep(SHUTDOWN_GRACE_MS)]);
  // The lease is released after the last tick, so that the next leader starts from a settled status.
  await held;
  await new Promise(resolve => server.close(resolve));
  return 0;
}

/** The checked flags, or the exit code when there is nothing to run (help, version, bad flags). */
function readFlags(argv: string[]): Flags | number {
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (!(err instanceof GoFlagError)) throw err;
    // As Go's flag package (ExitOnError): on stderr the problem, then the usage; exit code 0 for -h, else 2.
    process.stderr.write(err.help ? usage() : `${err.message}\n${usage()}`);
    return err.help ? 0 : 2;
  }
  if (flags.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const problems = flagProblems(flags);
  if (problems.length === 0) return flags;
  process.stderr.write(`invalid flags:\n${problems.map(p => `  ${p}`).join('\n')}\n`);
  return 2;
}

/** Flagger's lock: flagger-leader-election in -leader-election-namespace, or in -namespace when set. */
function leaderElector(flags: Flags, kube: KubeClient, logger: Logger): LeaderElector {
  return new LeaderElector(kube, {
    namespace: flags.namespace || flags['leader-election-namespace'],
    name: 'flagger-leader-election',
    leaseDurationMs: durationFlag(flags, 'leader-election-lease-duration'),
    renewDeadlineMs: durationFlag(flags, 'leader-election-renew-deadline'),
    retryPeriodMs: durationFlag(flags, 'leader-election-retry-period'),
    onError: err => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'leader election'),
  });
}
