import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryAnalysis, CanaryService } from '../api/canary.ts';
import {
  appMeshProtocol,
  appMeshRoutePrefix,
  durationMillis,
  gatewayAnnotations,
  headerMatches,
  replaceSpec,
  retrySettings,
  syncGatewayAnnotations,
  timeoutMillis,
} from './appmesh-common.ts';

function canary(service: Partial<CanaryService> = {}, analysis: Partial<CanaryAnalysis> = {}): Canary {
  return {
    metadata: { name: 'podinfo', namespace: 'test' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898, ...service },
      analysis: { interval: '1m', ...analysis },
    },
  };
}

describe('App Mesh settings from the canary', () => {
  it('uses grpc when the port name says so, else http', () => {
    assert.equal(appMeshProtocol(canary()), 'http');
    assert.equal(appMeshProtocol(canary({ portName: 'grpc-api' })), 'grpc');
    assert.equal(appMeshProtocol(canary({ portName: 'http-grpc' })), 'grpc');
  });

  it('routes the first match prefix, else /', () => {
    assert.equal(appMeshRoutePrefix(canary()), '/');
    assert.equal(appMeshRoutePrefix(canary({ match: [{ uri: { exact: '/x' } }] })), '/');
    assert.equal(appMeshRoutePrefix(canary({ match: [{ uri: { prefix: '/api' } }] })), '/api');
  });

  it('reads Go durations in whole milliseconds', () => {
    assert.equal(durationMillis('15s'), 15_000);
    assert.equal(durationMillis('1m30s'), 90_000);
    assert.equal(durationMillis('1.5ms'), 1);
    assert.equal(durationMillis('15'), undefined);
    assert.equal(durationMillis(undefined), undefined);
    assert.equal(timeoutMillis(canary({ timeout: '30s' })), 30_000);
    assert.equal(timeoutMillis(canary({ timeout: 'soon' })), undefined);
    assert.equal(timeoutMillis(canary()), undefined);
  });

  it('defaults the retry policy to one attempt on gateway errors within 250ms', () => {
    assert.equal(retrySettings(canary()), undefined);
    assert.deepEqual(retrySettings(canary({ retries: {} })), {
      perTryTimeoutMs: 250,
      attempts: 1,
      events: ['gateway-error'],
    });
    assert.deepEqual(
      retrySettings(
        canary({ retries: { attempts: 3, perTryTimeout: '5s', retryOn: 'gateway-error, client-error' } }),
      ),
      { perTryTimeoutMs: 5000, attempts: 3, events: ['gateway-error', 'client-error'] },
    );
  });

  it('turns every analysis header match into an App Mesh header match', () => {
    const ab = canary(
      {},
      {
        iterations: 10,
        match: [
          { headers: { 'x-canary': { exact: 'insider' }, 'user-agent': { regex: '.*Firefox.*' } } },
          { headers: { cookie: { suffix: 'canary' } } },
        ],
      },
    );
    assert.deepEqual(headerMatches(ab), [
      { name: 'x-canary', match: { exact: 'insider' } },
      { name: 'user-agent', match: { regex: '.*Firefox.*' } },
      { name: 'cookie', match: { suffix: 'canary' } },
    ]);
    assert.deepEqual(headerMatches(canary()), []);
  });
});

describe('gateway annotations', () => {
  it('are set only with hosts: the domain list, timeout and retries', () => {
    assert.deepEqual(gatewayAnnotations(canary()), {});
    assert.deepEqual(
      gatewayAnnotations(
        canary({ hosts: ['app.example.com', 'www.example.com'], timeout: '25s', retries: { attempts: 5 } }),
      ),
      {
        'gateway.appmesh.k8s.aws/expose': 'true',
        'gateway.appmesh.k8s.aws/domain': 'app.example.com,www.example.com,',
        'gateway.appmesh.k8s.aws/timeout': '25s',
        'gateway.appmesh.k8s.aws/retries': '5',
      },
    );
    assert.deepEqual(gatewayAnnotations(canary({ hosts: ['a.io'], retries: { attempts: 0 } })), {
      'gateway.appmesh.k8s.aws/expose': 'true',
      'gateway.appmesh.k8s.aws/domain': 'a.io,',
    });
  });

  it('are brought up to date without touching other annotations', () => {
    const metadata = {
      annotations: {
        note: 'mine',
        'gateway.appmesh.k8s.aws/expose': 'true',
        'gateway.appmesh.k8s.aws/domain': 'old.io,',
        'gateway.appmesh.k8s.aws/timeout': '5s',
      },
    };
    assert.equal(syncGatewayAnnotations(metadata, canary({ hosts: ['new.io'] })), true);
    assert.deepEqual(metadata.annotations, {
      note: 'mine',
      'gateway.appmesh.k8s.aws/expose': 'true',
      'gateway.appmesh.k8s.aws/domain': 'new.io,',
    });
    assert.equal(syncGatewayAnnotations(metadata, canary({ hosts: ['new.io'] })), false);
    assert.equal(syncGatewayAnnotations(metadata, canary()), true);
    assert.deepEqual(metadata.annotations, { note: 'mine' });
  });
});

describe('replaceSpec', () => {
  it("rewrites a different spec and keeps what App Mesh's controller filled in", () => {
    interface Spec {
      awsName?: string;
      meshRef?: { name: string; uid: string };
      listeners: { port: number }[];
    }
    const current: { spec?: Spec } = {
      spec: { awsName: 'podinfo_test', meshRef: { name: 'global', uid: 'u' }, listeners: [{ port: 80 }] },
    };
    assert.equal(replaceSpec(current, { listeners: [{ port: 80 }] }), false);
    assert.equal(replaceSpec(current, { listeners: [{ port: 8080 }] }), true);
    assert.deepEqual(current.spec, {
      awsName: 'podinfo_test',
      meshRef: { name: 'global', uid: 'u' },
      listeners: [{ port: 8080 }],
    });
    const bare: { spec?: Spec } = {};
    assert.equal(replaceSpec(bare, { listeners: [{ port: 1 }] }), true);
    assert.deepEqual(bare.spec, { listeners: [{ port: 1 }] });
  });
});
