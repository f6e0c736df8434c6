// The podinfo workload and Canary that the end-to-end tests release, as in Flagger's own e2e tests.
import type { Canary, CanaryAnalysis } from '../../src/api/canary.ts';
import type { ConfigMap, DaemonSet, Deployment, PodTemplateSpec } from '../../src/kube/types.ts';
import type { KubeClient } from '../../src/kube/client.ts';

export function podTemplate(image: string, configMap?: string): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'podinfo' } },
    spec: {
      containers: [
        {
          name: 'podinfod',
          image,
          ports: [{ name: 'http', containerPort: 9898 }],
          ...(configMap ? { envFrom: [{ configMapRef: { name: configMap } }] } : {}),
        },
      ],
    },
  };
}

export function podinfoDeployment(namespace: string, image: string, configMap?: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'podinfo', namespace, labels: { app: 'podinfo' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'podinfo' } },
      template: podTemplate(image, configMap),
    },
  };
}

export function podinfoDaemonSet(namespace: string, image: string): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'podinfo', namespace, labels: { app: 'podinfo' } },
    spec: {
      selector: { matchLabels: { app: 'podinfo' } },
      updateStrategy: { type: 'RollingUpdate' },
      template: podTemplate(image),
    },
  };
}

export function podinfoConfig(namespace: string, color: string): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'podinfo-config', namespace },
    data: { PODINFO_UI_COLOR: color },
  };
}

export const analysisWithMetrics: CanaryAnalysis = {
  interval: '1s',
  threshold: 2,
  maxWeight: 50,
  stepWeight: 10,
  metrics: [
    { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
    { name: 'request-duration', thresholdRange: { max: 500 }, interval: '1m' },
  ],
};

export function podinfoCanary(
  namespace: string,
  analysis: Partial<CanaryAnalysis> = {},
  kind: 'Deployment' | 'DaemonSet' = 'Deployment',
): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind, name: 'podinfo' },
      progressDeadlineSeconds: 60,
      service: { port: 9898 },
      analysis: { ...analysisWithMetrics, ...analysis },
    },
  };
}

/** Sets the image of the target's first container (a new revision). */
export async function setImage(
  kube: KubeClient,
  namespace: string,
  kind: 'Deployment' | 'DaemonSet',
  image: string,
): Promise<void> {
  await kube.modify<Deployment | DaemonSet>(
    { apiVersion: 'apps/v1', kind, name: 'podinfo', namespace },
    obj => {
      const container = obj.spec?.template.spec?.containers[0];
      if (container) container.image = image;
      return true;
    },
  );
}
