// Where the local control plane's programs are: the user's own binaries when the environment names them,
// otherwise the ones scripts/setup-control-plane.sh built and cached, and etcd from the PATH.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiServer: string;
  kubeControllerManager: string;
  kubectl: string;
}

/** The cache folder of the built Kubernetes binaries. */
export function binaryCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLAGGER_K8S_CACHE ?? join(homedir(), '.cache', 'flagger-ts', 'k8s-1.20.2');
}

/** Finds every binary, or throws naming the missing ones and how to get them. */
export function findBinaries(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries {
  const cache = binaryCacheDir(env);
  const found = {
    etcd: env.FLAGGER_ETCD ?? onPath('etcd', env) ?? '/usr/bin/etcd',
    kubeApiServer: env.FLAGGER_KUBE_APISERVER ?? join(cache, 'kube-apiserver'),
    kubeControllerManager: env.FLAGGER_KUBE_CONTROLLER_MANAGER ?? join(cache, 'kube-controller-manager'),
    kubectl: env.FLAGGER_KUBECTL ?? join(cache, 'kubectl'),
  };
  const missing = Object.entries(found).filter(([, path]) => !isExecutable(path));
  if (missing.length > 0) {
    const list = missing.map(([name, path]) => `${name} (${path})`).join(', ');
    throw new Error(
      `control plane binaries not found: ${list}. Run \`npm run setup:control-plane\`, or set ` +
        'FLAGGER_ETCD, FLAGGER_KUBE_APISERVER, FLAGGER_KUBE_CONTROLLER_MANAGER and FLAGGER_KUBECTL.',
    );
  }
  return found;
}

/** The program's path in a folder of env.PATH, if it is there. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
