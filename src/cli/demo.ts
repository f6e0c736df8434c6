// `flagger demo`: a whole local setup on one machine: a real control plane (etcd, kube-apiserver,
// kube-controller-manager), the fake kubelet, our CRDs, and an example workload with its Canary.
import { execFileSync } from 'node:child_process';
import type { Logger } from 'pino';
import type { Canary } from '../api/canary.ts';
import type { Deployment } from '../kube/types.ts';
import { ControlPlane } from '../playground/control-plane.ts';
import { FakeKubelet } from '../playground/fake-kubelet.ts';
import { installCrds } from '../playground/install-crds.ts';

export interface DemoOptions {
  /** Stop everything once the setup is shown, instead of waiting for Ctrl-C. */
  exit: boolean;
  logger: Logger;
  out: (line: string) => void;
}

const namespace = 'test';

const podinfo: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace, labels: { app: 'podinfo' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'podinfo' } },
    template: {
      metadata: { labels: { app: 'podinfo' } },
      spec: {
        containers: [
          {
            name: 'podinfod',
            image: 'ghcr.io/stefanprodan/podinfo:6.0.0',
            ports: [{ name: 'http', containerPort: 9898 }],
          },
        ],
      },
    },
  },
};

const canary: Canary = {
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace },
  spec: {
    provider: 'kubernetes',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { port: 9898 },
    analysis: { interval: '10s', threshold: 2, iterations: 3 },
  },
};

export async function runDemo(options: DemoOptions): Promise<void> {
  const { out } = options;
  out('Starting a local Kubernetes v1.20 control plane (etcd, kube-apiserver, kube-controller-manager)...');
  const plane = await ControlPlane.start();
  const kubelet = new FakeKubelet(plane.client({ fieldManager: 'fake-kubelet' }), { logger: options.logger });
  try {
    await kubelet.start();
    const client = plane.client();
    await installCrds(client);
    out('Installed the Canary, MetricTemplate and AlertProvider CRDs.');
    await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await client.create(podinfo);
    await client.create(canary);
    out(`Applied the podinfo Deployment and its Canary in namespace ${namespace}.\n`);
    const kubectl = (...args: string[]) =>
      execFileSync(plane.binaries.kubectl, ['--kubeconfig', plane.kubeconfigPath, ...args], {
        encoding: 'utf8',
      });
    out(kubectl('get', 'deployments,canaries', '-n', namespace, '-o', 'wide'));
    if (options.exit) return;
    out(`The cluster keeps running until Ctrl-C. Use it with:\n  export KUBECONFIG=${plane.kubeconfigPath}`);
    out(`  ${plane.binaries.kubectl} get canaries -A`);
    await new Promise<void>(resolve => process.once('SIGINT', () => resolve()));
  } finally {
    kubelet.stop();
    await plane.stop();
  }
}
