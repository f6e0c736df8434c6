// The Helm chart's dashboard.enabled: the dashboard as its own Deployment and Service, in token mode, with an
// account that may review tokens and access, and labels the controller's selectors do not match.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Deployment, KubeObject } from '../../src/kube/types.ts';
import { ChartRenderer } from '../harness/helm-charts.ts';

describe('the chart with dashboard.enabled', () => {
  const work = mkdtempSync(join(tmpdir(), 'flagger-dashboard-chart-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const charts = new ChartRenderer(work, '1.20.2');
  // The caller names the shape it reads of the rendered object.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  function named<T>(objects: KubeObject[], kind: string, name: string): T | undefined {
    return objects.find(o => o.kind === kind && o.metadata?.name === name) as T | undefined;
  }

  it('is off by default', async () => {
    const { objects } = await charts.render('flagger', 'flagger-system');
    assert.equal(named(objects, 'Deployment', 'flagger-dashboard'), undefined);
  });

  it('runs flagger dashboard --auth token behind a Service', async () => {
    const { objects } = await charts.render('flagger', 'flagger-system', {
      dashboard: { enabled: true, readOnly: true },
    });
    const dashboard = named<Deployment>(objects, 'Deployment', 'flagger-dashboard');
    assert.ok(dashboard, 'no dashboard Deployment');
    const container = dashboard.spec?.template.spec?.containers[0];
    assert.deepEqual(container?.args?.slice(0, 5), [
      'dashboard',
      '--auth=token',
      '--address=0.0.0.0',
      '--port=3100',
      '--read-only',
    ]);
    assert.equal(dashboard.spec?.template.spec?.serviceAccountName, 'flagger-dashboard');
    const service = named<{ spec: { ports: { port: number }[]; selector: Record<string, string> } }>(
      objects,
      'Service',
      'flagger-dashboard',
    );
    assert.equal(service?.spec.ports[0]?.port, 3100);
    assert.deepEqual(service.spec.selector, dashboard.spec.selector.matchLabels);
    const role = named<{ rules: { resources: string[] }[] }>(objects, 'ClusterRole', 'flagger-dashboard');
    const resources = role?.rules.flatMap(r => r.resources) ?? [];
    assert.ok(resources.includes('tokenreviews') && resources.includes('subjectaccessreviews'));

    const controller = named<Deployment>(objects, 'Deployment', 'flagger');
    const pod = dashboard.spec.template.metadata?.labels ?? {};
    const selects = Object.entries(controller?.spec?.selector.matchLabels ?? {}).every(
      ([k, v]) => pod[k] === v,
    );
    assert.equal(selects, false, "the controller's selector matches the dashboard's pods");
  });
});
