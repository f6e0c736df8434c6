// What the demo deploys, as in the tutorial: podinfo in namespace `test` (a Deployment and its Service, as its
// chart would install them; Flagger takes the Service over) and its Canary (provider istio,
// 10% steps up to 50%, five failed checks to roll back, the builtin success-rate and duration checks and a
// rollout webhook that has the load tester generate traffic), with intervals of seconds instead of minutes.
import type { Canary } from '../../api/canary.ts';
import { API_VERSION } from '../../api/crds.ts';
import type { Deployment, Service } from '../../kube/types.ts';

export const NAMESPACE = 'test';
export const APP = 'podinfo';
export const CONTAINER = 'podinfod';
export const IMAGE = 'ghcr.io/stefanprodan/podinfo';

export const canaryRef = { apiVersion: API_VERSION, kind: 'Canary', name: APP, namespace: NAMESPACE };
export const deploymentRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: APP, namespace: NAMESPACE };

export function podinfo(tag: string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP, namespace: NAMESPACE, labels: { app: APP } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: APP } },
      template: {
        metadata: { labels: { app: APP } },
        spec: {
          containers: [
            { name: CONTAINER, image: `${IMAGE}:${tag}`, ports: [{ name: 'http', containerPort: 9898 }] },
          ],
        },
      },
    },
  };
}

export function podinfoService(): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: APP, namespace: NAMESPACE, labels: { app: APP } },
    spec: { selector: { app: APP }, ports: [{ name: 'http', port: 9898, targetPort: 9898 }] },
  };
}

/** The load tester command of the rollout webhook, and of the demo's own traffic between releases. */
export function loadTestCommand(dataPlaneUrl: string): string {
  return `hey -z 1m -q 10 -c 2 ${dataPlaneUrl}`;
}

export function podinfoCanary(loadTesterUrl: string, dataPlaneUrl: string): Canary {
  return {
    apiVersion: API_VERSION,
    kind: 'Canary',
    metadata: { name: APP, namespace: NAMESPACE },
    spec: {
      provider: 'istio',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: APP },
      progressDeadlineSeconds: 60,
      service: { port: 9898 },
      analysis: {
        interval: '5s',
        threshold: 5,
        maxWeight: 50,
        stepWeight: 10,
        metrics: [
          { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '10s' },
          { name: 'request-duration', thresholdRange: { max: 500 }, interval: '10s' },
        ],
        webhooks: [
          {
            name: 'load-test',
            type: 'rollout',
            url: loadTesterUrl,
            timeout: '5s',
            metadata: { type: 'cmd', cmd: loadTestCommand(dataPlaneUrl) },
          },
        ],
      },
    },
  };
}
