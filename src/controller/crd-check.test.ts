// The start-up CRD check against an API server on 127.0.0.1 that serves our CRDs, Flagger's, or refuses to.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { FakeApi, type Reply } from '../../test/harness/fake-api.ts';
import { flaggerCrds } from '../../test/harness/fixtures.ts';
import { jsonLogSink } from '../../test/harness/json-log.ts';
import type { Canary } from '../api/canary.ts';
import { LAST_APPLIED_ANNOTATION, undeclaredFields, undeclaredFieldsWarning } from '../api/crd-drift.ts';
import { buildCrds } from '../api/crds.ts';
import { KubeClient } from '../kube/client.ts';
import { createLogger } from '../logging/logger.ts';
import { checkServedCrds } from './crd-check.ts';

const GROUP_PATH = '/apis/apiextensions.k8s.io/v1';
const DISCOVERY: Reply = {
  body: {
    kind: 'APIResourceList',
    groupVersion: 'apiextensions.k8s.io/v1',
    resources: [{ name: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false }],
  },
};

type Served = (name: string) => Reply;

const byName = (crds: readonly unknown[]): Served => {
  const index = new Map(crds.map(crd => [(crd as { metadata: { name: string } }).metadata.name, crd]));
  return name => {
    const crd = index.get(name);
    return crd === undefined ? { status: 404, body: { kind: 'Status', reason: 'NotFound' } } : { body: crd };
  };
};
const forbidden: Served = name => ({
  status: 403,
  body: {
    kind: 'Status',
    reason: 'Forbidden',
    message: `cannot get resource customresourcedefinitions ${name}`,
  },
});

/** A canary applied with analysis.delay that the API server stored without it. */
const delayDropped: Canary = {
  apiVersion: 'flagger.app/v1beta1',
  kind: 'Canary',
  metadata: {
    name: 'podinfo',
    namespace: 'test',
    annotations: {
      [LAST_APPLIED_ANNOTATION]: JSON.stringify({ spec: { analysis: { interval: '1m', delay: '5m' } } }),
    },
  },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    analysis: { interval: '1m' },
  },
};

/** What Flagger's CRD `name` lacks of ours (the list itself is pinned in api/crd-drift.test.ts). */
function lackedByFlagger(name: string): string[] {
  const schemaOf = (crds: readonly unknown[]) => {
    const crd = crds.find(c => (c as { metadata: { name: string } }).metadata.name === name);
    return (crd as { spec: { versions: { schema: { openAPIV3Schema: unknown } }[] } }).spec.versions[0]
      ?.schema.openAPIV3Schema;
  };
  return undeclaredFields(schemaOf(buildCrds()), schemaOf(flaggerCrds()));
}

describe('checkServedCrds', () => {
  let served: Served = byName(buildCrds());
  let api: FakeApi;
  let kube: KubeClient;
  before(async () => {
    api = await FakeApi.start(request => {
      const path = request.url.pathname;
      if (path === GROUP_PATH) return DISCOVERY;
      const prefix = `${GROUP_PATH}/customresourcedefinitions/`;
      return path.startsWith(prefix) ? served(path.slice(prefix.length)) : { status: 404 };
    });
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'fake', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'user' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'user' }],
      currentContext: 'fake',
    });
    kube = new KubeClient(config);
  });
  after(() => api.stop());

  async function check(given: Served) {
    served = given;
    const lines: Record<string, unknown>[] = [];
    const dropped = await checkServedCrds(kube, createLogger({ destination: jsonLogSink(lines) }));
    const warnings = lines.filter(l => l.level === 'warn').map(l => String(l.msg));
    return { dropped, warnings: warnings.sort() };
  }

  const cannotRead = (name: string, why: string) =>
    `Cannot read CRD ${name} to check that it has the fields this controller uses: get CustomResourceDefinition ${name}: ${why}`;

  const cases: [string, Served, string[], string[] | undefined][] = [
    ['our CRDs: no warning, canaries not checked', byName(buildCrds()), [], undefined],
    [
      "Flagger's CRDs: a warning per CRD that lacks fields; canaries checked",
      byName(flaggerCrds()),
      ['alertproviders.flagger.app', 'canaries.flagger.app'].map(name =>
        undeclaredFieldsWarning(name, lackedByFlagger(name)),
      ),
      ['spec.analysis.delay'],
    ],
    [
      'reading CRDs forbidden: a warning each, and on',
      forbidden,
      ['alertproviders', 'canaries', 'metrictemplates'].map(plural =>
        cannotRead(
          `${plural}.flagger.app`,
          `cannot get resource customresourcedefinitions ${plural}.flagger.app`,
        ),
      ),
      undefined,
    ],
    [
      'a CRD missing: a warning, the others checked',
      byName(
        flaggerCrds().filter(crd => JSON.stringify(crd).includes('"name":"metrictemplates.flagger.app"')),
      ),
      [cannotRead('alertproviders.flagger.app', 'HTTP 404'), cannotRead('canaries.flagger.app', 'HTTP 404')],
      undefined,
    ],
  ];
  for (const [name, given, warnings, dropped] of cases) {
    it(name, async () => {
      const result = await check(given);
      assert.deepEqual(result.warnings, warnings);
      assert.deepEqual(result.dropped?.(delayDropped), dropped);
    });
  }
});
