// Objects shared by the targets-*.test.ts files: controller options, Canaries created through the API server
// (generated objects need a real owner uid, or the garbage collector removes them) and a podinfo workload that
// uses a ConfigMap and a Secret.
import type { Canary, CanarySpec } from '../../src/api/canary.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { ConfigMap, PodTemplateSpec, Secret } from '../../src/kube/types.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import type { Readiness, TargetDeps } from '../../src/targets/types.ts';
import { eventually } from '../harness/cluster.ts';

export const IMAGE_V1 = 'ghcr.io/stefanprodan/podinfo:6.0.0';
export const IMAGE_V2 = 'ghcr.io/stefanprodan/podinfo:6.0.1';
/** The fake kubelet keeps pods with this annotation unready. */
export const NEVER_READY = { 'playground.flagger.app/ready': 'false' };

export function targetDeps(kube: KubeClient, options: Partial<TargetDeps['options']> = {}): TargetDeps {
  return {
    kube,
    logger: silentLogger(),
    options: {
      selectorLabels: ['app', 'name', 'app.kubernetes.io/name'],
      includeLabelPrefix: ['app.kubernetes.io'],
      enableConfigTracking: true,
      ...options,
    },
  };
}

export async function createCanary(
  kube: KubeClient,
  namespace: string,
  spec: Partial<CanarySpec> & Pick<CanarySpec, 'targetRef'>,
): Promise<Canary> {
  return kube.create<Canary>({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: spec.targetRef.name, namespace },
    spec: {
      service: { port: 9898 },
      analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10 },
      ...spec,
    },
  });
}

/** The ConfigMap and Secret podinfo's template uses. */
export async function createConfigs(kube: KubeClient, namespace: string): Promise<void> {
  await kube.create<ConfigMap>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'podinfo-config',
      namespace,
      labels: { 'app.kubernetes.io/part-of': 'shop', team: 'a' },
    },
    data: { color: 'blue' },
  });
  await kube.create<Secret>({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'podinfo-secret', namespace },
    type: 'Opaque',
    data: { token: Buffer.from('s3cr3t').toString('base64') },
  });
}

/** A podinfo pod template using podinfo-config (envFrom, volume) and podinfo-secret (env). */
export function podinfoTemplate(app: string, image = IMAGE_V1): PodTemplateSpec {
  return {
    metadata: { labels: { app }, annotations: { 'prometheus.io/scrape': 'true' } },
    spec: {
      containers: [
        {
          name: 'podinfo',
          image,
          ports: [
            { name: 'http', containerPort: 9898 },
            { name: 'grpc', containerPort: 9999 },
          ],
          envFrom: [{ configMapRef: { name: 'podinfo-config' } }],
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'podinfo-secret', key: 'token' } } }],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'podinfo-config' } }],
    },
  };
}

/** Metadata of a target workload: labels and annotations, some of which the primary must not copy. */
export function targetMetadata(name: string, namespace: string) {
  return {
    name,
    namespace,
    labels: { app: name, 'app.kubernetes.io/part-of': 'shop', team: 'a' },
    annotations: {
      'app.kubernetes.io/note': 'n',
      owner: 'team-a',
      'kustomize.toolkit.fluxcd.io/checksum': 'x',
    },
  };
}

/** Waits until a readiness check reports ready. */
export async function eventuallyReady(check: () => Promise<Readiness>, message: string): Promise<void> {
  await eventually(async () => (await check()).ready, message, 60_000);
}

/** Waits until a readiness check reports a non-retriable failure and returns it. */
export async function eventuallyFailed(
  check: () => Promise<Readiness>,
  message: string,
): Promise<Extract<Readiness, { ready: false }>> {
  const seen: { failure?: Extract<Readiness, { ready: false }> } = {};
  await eventually(
    async () => {
      const readiness = await check();
      if (!readiness.ready && !readiness.retriable) seen.failure = readiness;
      return seen.failure !== undefined;
    },
    message,
    60_000,
  );
  return seen.failure!;
}
