// `flagger dashboard`: the live web dashboard. Locally it serves the page on 127.0.0.1 with the user's own
// kubeconfig credentials (as `kubectl argo rollouts dashboard`); in a cluster (`--auth token`) every viewer
// brings a Kubernetes bearer token and sees and does what their RBAC allows.
import { createLogger } from '../../logging/logger.ts';
import { Dashboard } from '../../dashboard/server.ts';
import {
  CLUSTER_OPTIONS,
  connectCluster,
  helpRequested,
  parseCommandArgs,
  println,
  run,
  UsageError,
  type Io,
} from './common.ts';

export const DASHBOARD_USAGE = `usage: flagger dashboard [--port 3100] [--address 127.0.0.1] [--read-only] [--auth local|token] [--kubeconfig FILE] [--context NAME]
  --port N              where the page is served (default 3100; 0 picks a free port)
  --address IP          the address to listen on (default 127.0.0.1: only this machine)
  --read-only           no actions (promote, abort, pause, resume, retry)
  --auth local|token    local: act with the kubeconfig's credentials (default); token: every request carries
                        the viewer's Kubernetes bearer token, checked with TokenReview, and the viewer's RBAC
                        decides what they see and may do (SubjectAccessReview)
  --mesh-provider NAME  the controller's -mesh-provider, for canaries without spec.provider (default istio)`;

const OPTIONS = {
  ...CLUSTER_OPTIONS,
  port: { type: 'string' },
  address: { type: 'string' },
  'read-only': { type: 'boolean' },
  auth: { type: 'string' },
  'mesh-provider': { type: 'string' },
} as const;

export async function runDashboard(args: string[], io: Io): Promise<number> {
  return run(io, DASHBOARD_USAGE, async () => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS);
    if (helpRequested(io, values, DASHBOARD_USAGE)) return 0;
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const port = Number(values.port ?? '3100');
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError('--port takes a port number');
    const auth = values.auth ?? 'local';
    if (auth !== 'local' && auth !== 'token') throw new UsageError('--auth is local or token');
    const { client } = connectCluster(values);
    const dashboard = new Dashboard({
      client,
      auth,
      readOnly: values['read-only'] === true,
      meshProvider: values['mesh-provider'] ?? 'istio',
      logger: createLogger({ level: 'warn', encoding: 'console' }),
    });
    const url = await dashboard.listen(port, values.address ?? '127.0.0.1');
    println(io.out, `Flagger dashboard at ${url} (Ctrl-C stops it)`);
    await new Promise<void>(resolve => {
      if (io.signal === undefined) return;
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await dashboard.close();
    return 0;
  });
}
