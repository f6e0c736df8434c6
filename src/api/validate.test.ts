import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertProvider } from './alert-provider.ts';
import { testCanary } from './canary.fixture.ts';
import type { Canary } from './canary.ts';
import type { MetricTemplate } from './metric-template.ts';
import {
  validateAlertProvider,
  validateCanary,
  validateMetricTemplate,
  type CanaryValidationOptions,
  type Problem,
} from './validate.ts';

const BASE = testCanary({
  spec: {
    analysis: {
      threshold: 5,
      stepWeight: 10,
      maxWeight: 50,
      metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' }],
      webhooks: [{ name: 'load-test', url: 'http://flagger-loadtester.test/', timeout: '5s' }],
    },
  },
});

const DEFAULT_OPTIONS: CanaryValidationOptions = { noCrossNamespaceRefs: false };

function canaryWith(change: (canary: Canary) => void): Canary {
  const canary = structuredClone(BASE);
  change(canary);
  return canary;
}

function assertProblemAt(problems: Problem[], field: string): void {
  assert.deepEqual(
    problems.map(p => p.field),
    [field],
    `expected one problem at ${field}, got ${JSON.stringify(problems)}`,
  );
  const [only] = problems;
  assert.ok(only?.message.startsWith(`${field} `), `message names the field: ${only?.message}`);
}

interface Rule {
  rule: string;
  valid: (canary: Canary) => void;
  invalid: (canary: Canary) => void;
  field: string;
  options?: CanaryValidationOptions;
}

const analysis = (canary: Canary) => canary.spec.analysis;
const service = (canary: Canary) => canary.spec.service!;
const knativeTarget = (canary: Canary) => {
  canary.spec.targetRef = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'podinfo' };
  delete canary.spec.service;
};
const noChange = () => undefined;

const CANARY_RULES: Rule[] = [
  {
    rule: 'provider is a known name',
    valid: c => (c.spec.provider = 'linkerd'),
    invalid: c => (c.spec.provider = 'linkerd2' as never),
    field: 'spec.provider',
  },
  {
    rule: 'progressDeadlineSeconds is a positive integer',
    valid: c => (c.spec.progressDeadlineSeconds = 60),
    invalid: c => (c.spec.progressDeadlineSeconds = 0),
    field: 'spec.progressDeadlineSeconds',
  },
  {
    rule: 'a Knative Service target needs the knative provider',
    valid: c => {
      knativeTarget(c);
      c.spec.provider = 'knative';
    },
    invalid: c => {
      knativeTarget(c);
      c.spec.provider = 'istio';
    },
    field: 'spec.provider',
  },
  {
    rule: 'the knative provider needs a Knative Service target',
    valid: noChange,
    invalid: c => (c.spec.provider = 'knative'),
    field: 'spec.targetRef',
  },
  {
    rule: 'autoscalerRef only with a Deployment target',
    valid: c =>
      (c.spec.autoscalerRef = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'p' }),
    invalid: c => {
      c.spec.targetRef.kind = 'DaemonSet';
      c.spec.autoscalerRef = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'p' };
    },
    field: 'spec.autoscalerRef',
  },
  {
    rule: 'service is required unless the target is a Knative Service',
    valid: c => {
      knativeTarget(c);
      c.spec.provider = 'knative';
    },
    invalid: c => delete c.spec.service,
    field: 'spec.service',
  },
  {
    rule: 'service.port is a port number',
    valid: c => (service(c).port = 65535),
    invalid: c => (service(c).port = 0),
    field: 'spec.service.port',
  },
  {
    rule: 'a numeric service.targetPort is a port number',
    valid: c => (service(c).targetPort = 'http'),
    invalid: c => (service(c).targetPort = 70000),
    field: 'spec.service.targetPort',
  },
  {
    rule: 'delegation excludes hosts and gateways',
    valid: c => (service(c).delegation = true),
    invalid: c => {
      service(c).delegation = true;
      service(c).hosts = ['app.example.com'];
    },
    field: 'spec.service.delegation',
  },
  {
    rule: 'a Service mirror backendRef has a port',
    valid: c => (service(c).mirror = [{ backendRef: { name: 'shadow', port: 80 } }]),
    invalid: c => (service(c).mirror = [{ backendRef: { name: 'shadow' } }]),
    field: 'spec.service.mirror[0].backendRef.port',
  },
  {
    rule: 'nginx needs ingressRef',
    valid: c => {
      c.spec.provider = 'nginx';
      c.spec.ingressRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'podinfo' };
    },
    invalid: c => (c.spec.provider = 'nginx'),
    field: 'spec.ingressRef',
  },
  {
    rule: 'apisix needs routeRef',
    valid: c => {
      c.spec.provider = 'apisix';
      c.spec.routeRef = { apiVersion: 'apisix.apache.org/v2', kind: 'ApisixRoute', name: 'podinfo' };
    },
    invalid: c => (c.spec.provider = 'apisix'),
    field: 'spec.routeRef',
  },
  {
    rule: 'Gateway API (here from -mesh-provider) needs gatewayRefs',
    valid: c => (service(c).gatewayRefs = [{ name: 'gateway', namespace: 'istio-ingress' }]),
    invalid: noChange,
    field: 'spec.service.gatewayRefs',
    options: { noCrossNamespaceRefs: false, meshProvider: 'gatewayapi' },
  },
  {
    rule: 'App Mesh v1beta1 needs meshName',
    valid: c => {
      c.spec.provider = 'appmesh';
      service(c).meshName = 'global';
    },
    invalid: c => (c.spec.provider = 'appmesh'),
    field: 'spec.service.meshName',
  },
  {
    rule: 'no cross-namespace templateRef when disabled',
    valid: c =>
      (analysis(c).metrics = [{ name: 'latency', templateRef: { name: 'latency', namespace: 'test' } }]),
    invalid: c =>
      (analysis(c).metrics = [{ name: 'latency', templateRef: { name: 'latency', namespace: 'flagger' } }]),
    field: 'spec.analysis.metrics[0].templateRef.namespace',
    options: { noCrossNamespaceRefs: true },
  },
  {
    rule: 'no cross-namespace providerRef when disabled',
    valid: c => (analysis(c).alerts = [{ name: 'slack', providerRef: { name: 'slack' } }]),
    invalid: c =>
      (analysis(c).alerts = [{ name: 'slack', providerRef: { name: 'slack', namespace: 'flagger' } }]),
    field: 'spec.analysis.alerts[0].providerRef.namespace',
    options: { noCrossNamespaceRefs: true },
  },
  {
    rule: 'no cross-namespace upstreamRef when disabled',
    valid: c =>
      (c.spec.upstreamRef = {
        apiVersion: 'gloo.solo.io/v1',
        kind: 'Upstream',
        name: 'u',
        namespace: 'test',
      }),
    invalid: c =>
      (c.spec.upstreamRef = {
        apiVersion: 'gloo.solo.io/v1',
        kind: 'Upstream',
        name: 'u',
        namespace: 'gloo',
      }),
    field: 'spec.upstreamRef.namespace',
    options: { noCrossNamespaceRefs: true },
  },
  {
    rule: 'analysis.interval is a Go duration',
    valid: c => (analysis(c).interval = '1m30s'),
    invalid: c => (analysis(c).interval = '1mx'),
    field: 'spec.analysis.interval',
  },
  {
    rule: 'analysis.delay (extension) is a Go duration',
    valid: c => (analysis(c).delay = '30s'),
    invalid: c => (analysis(c).delay = '1mx'),
    field: 'spec.analysis.delay',
  },
  {
    rule: 'threshold >= 0',
    valid: c => (analysis(c).threshold = 0),
    invalid: c => (analysis(c).threshold = -1),
    field: 'spec.analysis.threshold',
  },
  {
    rule: 'iterations is a whole number >= 0',
    valid: c => (analysis(c).iterations = 0),
    invalid: c => (analysis(c).iterations = 2.5),
    field: 'spec.analysis.iterations',
  },
  {
    rule: 'maxWeight is 1..100',
    valid: c => (analysis(c).maxWeight = 100),
    invalid: c => (analysis(c).maxWeight = 150),
    field: 'spec.analysis.maxWeight',
  },
  {
    rule: 'stepWeight is 1..100',
    valid: c => (analysis(c).stepWeight = 1),
    invalid: c => (analysis(c).stepWeight = 0),
    field: 'spec.analysis.stepWeight',
  },
  {
    rule: 'stepWeight <= maxWeight',
    valid: c => (analysis(c).stepWeight = 50),
    invalid: c => (analysis(c).stepWeight = 60),
    field: 'spec.analysis.stepWeight',
  },
  {
    rule: 'stepWeights strictly increase',
    valid: c => (analysis(c).stepWeights = [5, 10, 20]),
    invalid: c => (analysis(c).stepWeights = [5, 20, 20]),
    field: 'spec.analysis.stepWeights[2]',
  },
  {
    rule: 'stepWeights are 1..100',
    valid: c => (analysis(c).stepWeights = [1, 100]),
    invalid: c => (analysis(c).stepWeights = [10, 120]),
    field: 'spec.analysis.stepWeights[1]',
  },
  {
    rule: 'stepWeightPromotion is 0..100',
    valid: c => (analysis(c).stepWeightPromotion = 0),
    invalid: c => (analysis(c).stepWeightPromotion = 101),
    field: 'spec.analysis.stepWeightPromotion',
  },
  {
    rule: 'mirrorWeight is 0..100',
    valid: c => (analysis(c).mirrorWeight = 100),
    invalid: c => (analysis(c).mirrorWeight = 101),
    field: 'spec.analysis.mirrorWeight',
  },
  {
    rule: 'primaryReadyThreshold is 0..100',
    valid: c => (analysis(c).primaryReadyThreshold = 50),
    invalid: c => (analysis(c).primaryReadyThreshold = 200),
    field: 'spec.analysis.primaryReadyThreshold',
  },
  {
    rule: 'canaryReadyThreshold is 0..100',
    valid: c => (analysis(c).canaryReadyThreshold = 0),
    invalid: c => (analysis(c).canaryReadyThreshold = -1),
    field: 'spec.analysis.canaryReadyThreshold',
  },
  {
    rule: 'mirror is ignored by A/B testing',
    valid: c => (analysis(c).mirror = true),
    invalid: c => {
      delete analysis(c).stepWeight;
      Object.assign(analysis(c), {
        iterations: 10,
        mirror: true,
        match: [{ headers: { x: { exact: 'y' } } }],
      });
    },
    field: 'spec.analysis.mirror',
  },
  {
    rule: 'mirror is ignored by the kubernetes provider',
    valid: c => Object.assign(analysis(c), { stepWeight: undefined, iterations: 5 }),
    invalid: c => {
      c.spec.provider = 'kubernetes';
      Object.assign(analysis(c), { stepWeight: undefined, iterations: 5, mirror: true });
    },
    field: 'spec.analysis.mirror',
  },
  {
    rule: 'primaryCookieName differs from cookieName',
    valid: c =>
      (analysis(c).sessionAffinity = { cookieName: 'flagger-cookie', primaryCookieName: 'primary-cookie' }),
    invalid: c =>
      (analysis(c).sessionAffinity = { cookieName: 'flagger-cookie', primaryCookieName: 'flagger-cookie' }),
    field: 'spec.analysis.sessionAffinity.primaryCookieName',
  },
  {
    rule: 'cookie names are cookie tokens',
    valid: c => (analysis(c).sessionAffinity = { cookieName: 'flagger_cookie.v1' }),
    invalid: c => (analysis(c).sessionAffinity = { cookieName: 'flagger cookie' }),
    field: 'spec.analysis.sessionAffinity.cookieName',
  },
  {
    rule: 'sessionAffinity maxAge is positive',
    valid: c => (analysis(c).sessionAffinity = { cookieName: 'c', maxAge: 3600 }),
    invalid: c => (analysis(c).sessionAffinity = { cookieName: 'c', maxAge: 0 }),
    field: 'spec.analysis.sessionAffinity.maxAge',
  },
  {
    rule: 'sessionAffinity needs the canary strategy',
    valid: c => (analysis(c).sessionAffinity = { cookieName: 'c' }),
    invalid: c =>
      Object.assign(analysis(c), {
        stepWeight: undefined,
        iterations: 5,
        sessionAffinity: { cookieName: 'c' },
      }),
    field: 'spec.analysis.sessionAffinity',
  },
  {
    rule: 'metric interval is a Go duration',
    valid: c => (analysis(c).metrics = [{ name: 'request-duration', interval: '30s' }]),
    invalid: c => (analysis(c).metrics = [{ name: 'request-duration', interval: '30sec' }]),
    field: 'spec.analysis.metrics[0].interval',
  },
  {
    rule: 'thresholdRange min <= max',
    valid: c => (analysis(c).metrics = [{ name: 'request-duration', thresholdRange: { min: 1, max: 1 } }]),
    invalid: c => (analysis(c).metrics = [{ name: 'request-duration', thresholdRange: { min: 2, max: 1 } }]),
    field: 'spec.analysis.metrics[0].thresholdRange',
  },
  {
    rule: 'A/B testing needs a provider that routes by match',
    valid: c => {
      c.spec.provider = 'contour';
      Object.assign(analysis(c), { iterations: 5, match: [{ headers: { x: { exact: '1' } } }] });
    },
    invalid: c => {
      c.spec.provider = 'linkerd';
      Object.assign(analysis(c), { iterations: 5, match: [{ headers: { x: { exact: '1' } } }] });
    },
    field: 'spec.analysis.match',
  },
  {
    rule: 'mirroring needs a provider that mirrors',
    valid: c => {
      c.spec.provider = 'istio';
      analysis(c).mirror = true;
    },
    invalid: c => {
      c.spec.provider = 'contour';
      analysis(c).mirror = true;
    },
    field: 'spec.analysis.mirror',
  },
  {
    rule: 'Gateway API mirrors only with blue/green',
    valid: c => {
      service(c).gatewayRefs = [{ name: 'gateway', namespace: 'istio-ingress' }];
      Object.assign(analysis(c), { mirror: true, iterations: 5, stepWeight: undefined });
    },
    invalid: c => {
      service(c).gatewayRefs = [{ name: 'gateway', namespace: 'istio-ingress' }];
      analysis(c).mirror = true;
    },
    field: 'spec.analysis.mirror',
    options: { noCrossNamespaceRefs: false, meshProvider: 'gatewayapi' },
  },
  {
    rule: 'session affinity needs a provider that sets cookies',
    valid: c => {
      c.spec.provider = 'istio';
      analysis(c).sessionAffinity = { cookieName: 'canary' };
    },
    invalid: c => {
      c.spec.provider = 'contour';
      analysis(c).sessionAffinity = { cookieName: 'canary' };
    },
    field: 'spec.analysis.sessionAffinity',
  },
  {
    rule: 'compare.minSamples needs a sample query',
    valid: c =>
      (analysis(c).metrics = [
        { name: 'request-success-rate', compare: { minSamples: 100, sampleQuery: 'sum(requests)' } },
      ]),
    invalid: c => (analysis(c).metrics = [{ name: 'request-success-rate', compare: { minSamples: 100 } }]),
    field: 'spec.analysis.metrics[0].compare.minSamples',
  },
  {
    rule: 'a metric has a template, a query or a built-in name',
    valid: c => (analysis(c).metrics = [{ name: 'errors', query: 'sum(rate(errors[1m]))' }]),
    invalid: c => (analysis(c).metrics = [{ name: 'errors', query: '  ' }]),
    field: 'spec.analysis.metrics[0]',
  },
  {
    rule: 'webhook url is an absolute http(s) URL',
    valid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'https://gate.example.com/approve' }]),
    invalid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'flagger-loadtester.test/' }]),
    field: 'spec.analysis.webhooks[0].url',
  },
  {
    rule: 'webhook url is not another scheme',
    valid: noChange,
    invalid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'ftp://gate.example.com/' }]),
    field: 'spec.analysis.webhooks[0].url',
  },
  {
    rule: 'webhook timeout is a Go duration',
    valid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'http://gate/', timeout: '1m30s' }]),
    invalid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'http://gate/', timeout: '30 s' }]),
    field: 'spec.analysis.webhooks[0].timeout',
  },
  {
    rule: 'webhook retries >= 0',
    valid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'http://gate/', retries: 3 }]),
    invalid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'http://gate/', retries: -1 }]),
    field: 'spec.analysis.webhooks[0].retries',
  },
  {
    rule: 'webhook secretRef names a Secret',
    valid: c =>
      (analysis(c).webhooks = [{ name: 'gate', url: 'http://gate/', secretRef: { name: 'token' } }]),
    invalid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'http://gate/', secretRef: { name: '' } }]),
    field: 'spec.analysis.webhooks[0].secretRef.name',
  },
  {
    rule: 'webhook secretRef and user info in the url exclude each other',
    valid: c => (analysis(c).webhooks = [{ name: 'gate', url: 'http://u:p@gate/' }]),
    invalid: c =>
      (analysis(c).webhooks = [{ name: 'gate', url: 'http://u:p@gate/', secretRef: { name: 'token' } }]),
    field: 'spec.analysis.webhooks[0].secretRef',
  },
];

describe('validateCanary', () => {
  it('accepts the base canary', () => assert.deepEqual(validateCanary(BASE, DEFAULT_OPTIONS), []));

  for (const { rule, valid, invalid, field, options = DEFAULT_OPTIONS } of CANARY_RULES) {
    describe(rule, () => {
      it('valid', () => assert.deepEqual(validateCanary(canaryWith(valid), options), []));
      it(`invalid → ${field}`, () => assertProblemAt(validateCanary(canaryWith(invalid), options), field));
    });
  }

  it('allows cross-namespace references unless disabled', () => {
    const canary = canaryWith(
      c => (analysis(c).alerts = [{ name: 'a', providerRef: { name: 'a', namespace: 'other' } }]),
    );
    assert.deepEqual(validateCanary(canary, DEFAULT_OPTIONS), []);
  });

  it('accepts match without iterations (a canary for matching requests)', () => {
    const canary = canaryWith(c => (analysis(c).match = [{ headers: { 'x-canary': { exact: 'insider' } } }]));
    assert.deepEqual(validateCanary(canary, DEFAULT_OPTIONS), []);
  });

  it('reports every problem, not only the first', () => {
    const canary = canaryWith(c =>
      Object.assign(analysis(c), { interval: 'soon', maxWeight: 0, stepWeights: [30, 20] }),
    );
    assert.deepEqual(
      validateCanary(canary, DEFAULT_OPTIONS).map(p => p.field),
      ['spec.analysis.interval', 'spec.analysis.maxWeight', 'spec.analysis.stepWeights[1]'],
    );
  });
});

describe('validateMetricTemplate', () => {
  const template: MetricTemplate = {
    metadata: { name: 'latency', namespace: 'test' },
    spec: { provider: { type: 'prometheus', address: 'http://prometheus.istio-system:9090' }, query: 'up' },
  };
  const withSpec = (spec: Partial<MetricTemplate['spec']>): MetricTemplate => ({
    ...template,
    spec: { ...template.spec, ...spec },
  });

  it('accepts a template', () => assert.deepEqual(validateMetricTemplate(template), []));
  it('accepts a template without address', () =>
    assert.deepEqual(
      validateMetricTemplate(withSpec({ provider: { type: 'cloudwatch', region: 'eu-west-1' } })),
      [],
    ));
  it('rejects an empty query', () =>
    assertProblemAt(validateMetricTemplate(withSpec({ query: ' \n' })), 'spec.query'));
  it('rejects an address that is not a URL', () =>
    assertProblemAt(
      validateMetricTemplate(withSpec({ provider: { type: 'prometheus', address: 'prometheus:9090' } })),
      'spec.provider.address',
    ));
});

describe('validateAlertProvider', () => {
  const provider: AlertProvider = {
    metadata: { name: 'slack', namespace: 'test' },
    spec: { type: 'slack', address: 'https://hooks.slack.com/services/T/B/X', proxy: 'socks5://proxy:1080' },
  };
  const withSpec = (spec: Partial<AlertProvider['spec']>): AlertProvider => ({
    ...provider,
    spec: { ...provider.spec, ...spec },
  });

  it('accepts a provider', () => assert.deepEqual(validateAlertProvider(provider), []));
  it('accepts a provider with only a secretRef', () =>
    assert.deepEqual(
      validateAlertProvider({ ...provider, spec: { type: 'msteams', secretRef: { name: 's' } } }),
      [],
    ));
  it('rejects an address that is not a URL', () =>
    assertProblemAt(validateAlertProvider(withSpec({ address: 'hooks.slack.com' })), 'spec.address'));
  it('rejects a proxy with an unsupported scheme', () =>
    assertProblemAt(validateAlertProvider(withSpec({ proxy: 'ftp://proxy' })), 'spec.proxy'));
});
