// `flagger demo`: two whole releases on one machine. A real control plane (etcd, kube-apiserver,
// kube-controller-manager), the fake kubelet, our CRDs and the controller itself; podinfo is released twice:
// once successfully (promoted), once with pods that never get ready (rolled back). What the controller says
// about the canary is printed as it happens.
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import type { Canary } from '../api/canary.ts';
import { API_VERSION } from '../api/crds.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Deployment, PodTemplateSpec } from '../kube/types.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { ControlPlane } from '../playground/control-plane.ts';
import { FakeKubelet, readyAnnotation } from '../playground/fake-kubelet.ts';
import { installCrds } from '../playground/install-crds.ts';
import { waitFor } from '../playground/process.ts';
import { ControllerRuntime, optionsFromFlags } from './controller-runtime.ts';
import { parseFlags } from './flags.ts';

export interface DemoOptions {
  /** Stop everything once the releases are done, instead of waiting for Ctrl-C. */
  exit: boolean;
  out: (line: string) => void;
}

const namespace = 'test';

function template(image: string, ready = true): PodTemplateSpec {
  return {
    metadata: {
      labels: { app: 'podinfo' },
      ...(ready ? {} : { annotations: { [readyAnnotation]: 'false' } }),
    },
    spec: { containers: [{ name: 'podinfod', image, ports: [{ name: 'http', containerPort: 9898 }] }] },
  };
}

const podinfo: Deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'podinfo', namespace, labels: { app: 'podinfo' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'podinfo' } },
    template: template('ghcr.io/stefanprodan/podinfo:6.0.0'),
  },
};

const canary: Canary = {
  apiVersion: API_VERSION,
  kind: 'Canary',
  metadata: { name: 'podinfo', namespace },
  spec: {
    provider: 'kubernetes',
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    progressDeadlineSeconds: 15,
    service: { port: 9898 },
    analysis: { interval: '2s', threshold: 2, iterations: 3 },
  },
};

const canaryRef = { apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace };

/** The controller's log, reduced to what it says about canaries: "podinfo.test  Advance ...". */
function narrator(out: (line: string) => void): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { canary?: string; msg?: string; level?: string };
        if (entry.canary && entry.level !== 'debug') out(`  ${entry.canary}  ${entry.msg ?? ''}`);
      }
      done();
    },
  });
  return createLogger({ level: 'info', destination });
}

async function release(kube: KubeClient, image: string, ready: boolean, until: string): Promise<void> {
  await kube.modify<Deployment>(
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo', namespace },
    d => {
      if (d.spec) d.spec.template = template(image, ready);
      return true;
    },
  );
  await waitFor(
    async () => (await kube.get<Canary>(canaryRef)).status?.phase === until,
    180_000,
    `the canary did not reach ${until}`,
  );
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const { out } = options;
  out('Starting a local Kubernetes v1.20 control plane (etcd, kube-apiserver, kube-controller-manager)...');
  const plane = await ControlPlane.start();
  const quiet = createLogger({ level: 'warn' });
  const kubelet = new FakeKubelet(plane.client({ fieldManager: 'fake-kubelet' }), { logger: quiet });
  let runtime: ControllerRuntime | undefined;
  try {
    await kubelet.start();
    const kube = plane.client();
    await installCrds(kube);
    out('Installed the Canary, MetricTemplate and AlertProvider CRDs; starting the controller.');
    const flags = parseFlags(['-mesh-provider=kubernetes', '-metrics-server=http://127.0.0.1:9090'], {});
    runtime = await ControllerRuntime.start({
      ...optionsFromFlags(flags, kube, narrator(out)),
      minAnalysisIntervalMs: 1_000,
    });
    await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await kube.create(podinfo);
    await kube.create(canary);
    out(
      `\nApplied the podinfo Deployment and its Canary (blue/green, 3 iterations) in namespace ${namespace}.`,
    );
    await waitFor(
      async () => (await kube.get<Canary>(canaryRef)).status?.phase === 'Initialized',
      120_000,
      'not initialized',
    );

    out('\nRelease 1: podinfo:6.0.1, healthy pods.');
    await release(kube, 'ghcr.io/stefanprodan/podinfo:6.0.1', true, 'Succeeded');
    out('\nRelease 2: podinfo:6.0.2, pods that never become ready (progress deadline 15s).');
    await release(kube, 'ghcr.io/stefanprodan/podinfo:6.0.2', false, 'Failed');

    const kubectl = (...args: string[]) =>
      execFileSync(plane.binaries.kubectl, ['--kubeconfig', plane.kubeconfigPath, ...args], {
        encoding: 'utf8',
      });
    out(`\n${kubectl('get', 'deployments,canaries', '-n', namespace, '-o', 'wide')}`);
    if (options.exit) return;
    out(
      `The cluster and the controller keep running until Ctrl-C. Use it with:\n  export KUBECONFIG=${plane.kubeconfigPath}`,
    );
    out(`  ${plane.binaries.kubectl} get canaries -A`);
    await new Promise<void>(resolve => process.once('SIGINT', () => resolve()));
  } finally {
    await runtime?.stop();
    kubelet.stop();
    await plane.stop();
  }
}
