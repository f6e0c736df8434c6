// Test-only (kept out of the build and the images like *.test.ts): the podinfo Canary most unit tests start from,
// so that each test states only the fields it is about.
import type { Canary, CanaryAnalysis, CanaryService, CanarySpec, CanaryStatus } from './canary.ts';
import type { ObjectMeta } from './object-meta.ts';

export interface CanaryOverrides {
  metadata?: Partial<ObjectMeta>;
  /** Merged into the defaults; analysis and service are merged one level deeper. */
  spec?: Partial<Omit<CanarySpec, 'analysis' | 'service'>> & {
    analysis?: Partial<CanaryAnalysis>;
    service?: Partial<CanaryService>;
  };
  status?: CanaryStatus;
}

/** podinfo.test, a Deployment target podinfo, service port 9898 and a 1m analysis interval, with `overrides`. */
export function testCanary({ metadata, spec = {}, status }: CanaryOverrides = {}): Canary {
  const { analysis, service, ...rest } = spec;
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', ...metadata },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      ...rest,
      service: { port: 9898, ...service },
      analysis: { interval: '1m', ...analysis },
    },
    ...(status !== undefined && { status }),
  };
}
