import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect } from '../kube/config.ts';
import { silentLogger } from '../logging/logger.ts';
import { AppMeshV1beta1Router } from './appmesh-v1beta1.ts';
import { AppMeshV1beta2Router } from './appmesh-v1beta2.ts';
import { IstioRouter } from './istio.ts';
import { KnativeRouter } from './knative.ts';
import { KubernetesRouter } from './kubernetes.ts';
import { SmiRouter } from './smi.ts';
import { createRouter, supportedRouterProviders } from './registry.ts';
import type { RouterDeps } from './types.ts';

const deps: RouterDeps = {
  // Never called: routers only talk to the API server in their methods.
  kube: connect({ master: 'http://127.0.0.1:9' }),
  logger: silentLogger(),
  labelKey: 'app',
  setOwnerRefs: true,
  ingressClass: '',
  ingressAnnotationsPrefix: 'nginx.ingress.kubernetes.io',
  includeLabelPrefix: [],
};

describe('createRouter', () => {
  it('makes the router of each supported provider', () => {
    assert.ok(createRouter('istio', deps) instanceof IstioRouter);
    assert.ok(createRouter('kubernetes', deps) instanceof KubernetesRouter);
    assert.ok(createRouter('smi:v1alpha3:linkerd', deps) instanceof SmiRouter);
    assert.ok(createRouter('knative', deps) instanceof KnativeRouter);
    assert.ok(createRouter('appmesh', deps) instanceof AppMeshV1beta1Router);
    assert.ok(createRouter('appmesh:v1beta2', deps) instanceof AppMeshV1beta2Router);
    assert.deepEqual(supportedRouterProviders(), [
      'apisix',
      'appmesh',
      'appmesh:v1beta2',
      'contour',
      'gatewayapi:v1',
      'gatewayapi:v1beta1',
      'gloo',
      'istio',
      'knative',
      'kubernetes',
      'kuma',
      'linkerd',
      'nginx',
      'osm',
      'skipper',
      'smi:v1alpha1',
      'smi:v1alpha2',
      'smi:v1alpha3',
      'traefik',
    ]);
  });

  it('rejects an unknown provider instead of falling back to Istio (quirk Q3)', () => {
    assert.throws(
      () => createRouter('istoi', deps),
      /mesh provider "istoi" is unknown: supported providers are apisix, appmesh, appmesh:v1beta2, contour, gatewayapi:v1, gatewayapi:v1beta1, gloo, istio, knative, kubernetes, kuma, linkerd, nginx, osm, skipper, smi:v1alpha1, smi:v1alpha2, smi:v1alpha3, traefik/,
    );
  });
});
