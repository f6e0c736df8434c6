// The web dashboard in a real headless Chromium against a real control plane and controller: the fleet view
// lists canaries and follows a release live, promote and abort reach the controller, and in token mode a
// viewer's RBAC decides what they see (TokenReview + SubjectAccessReview); --read-only shows no actions.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fetch } from 'undici';
import type { Page } from 'puppeteer-core';
import { API_VERSION } from '../../src/api/crds.ts';
import { Dashboard } from '../../src/dashboard/server.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { useBrowser } from '../harness/browser.ts';
import { eventually, useCluster, type TestCluster } from '../harness/cluster.ts';
import { canaryEvents, getCanary, useController } from '../harness/controller.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

/** Screenshots go to docs/img with FLAGGER_DASHBOARD_SCREENSHOTS=1, else nowhere. */
const SCREENSHOTS = process.env.FLAGGER_DASHBOARD_SCREENSHOTS === '1' ? 'docs/img' : undefined;

const dashboards: Dashboard[] = [];
async function startDashboard(cluster: TestCluster, options: { auth: 'local' | 'token'; readOnly: boolean }) {
  const dashboard = new Dashboard({
    client: cluster.client,
    meshProvider: 'istio',
    logger: silentLogger(),
    ...options,
  });
  dashboards.push(dashboard);
  return dashboard.listen(0, '127.0.0.1');
}
after(async () => Promise.all(dashboards.map(d => d.close())));

/** Waits until the element's text contains text. */
async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  const [s, t] = [JSON.stringify(selector), JSON.stringify(text)];
  await page.waitForFunction(`document.querySelector(${s})?.textContent.includes(${t})`, { timeout: 30_000 });
}

async function confirm(page: Page, action: string): Promise<void> {
  await page.click(`#actions button[data-action="${action}"]`);
  await page.waitForSelector('#confirm[open]');
  await page.click('#confirm-ok');
}

/** A service account's token from the TokenRequest API, and a Role binding it may read canaries with. */
async function viewerToken(cluster: TestCluster, namespace: string): Promise<string> {
  const rbac = 'rbac.authorization.k8s.io/v1';
  await cluster.client.create({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'viewer', namespace },
  });
  await cluster.client.create({
    apiVersion: rbac,
    kind: 'Role',
    metadata: { name: 'canary-viewer', namespace },
    rules: [{ apiGroups: ['flagger.app'], resources: ['canaries'], verbs: ['get', 'list', 'watch'] }],
  });
  await cluster.client.create({
    apiVersion: rbac,
    kind: 'RoleBinding',
    metadata: { name: 'canary-viewer', namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'canary-viewer' },
    subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace }],
  });
  const { server, token, dispatcher } = await cluster.client.connection();
  const response = await fetch(`${server}/api/v1/namespaces/${namespace}/serviceaccounts/viewer/token`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token ?? ''}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }),
    ...(dispatcher !== undefined && { dispatcher }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { status: { token: string } }).status.token;
}

describe('dashboard in a browser on a real control plane', () => {
  const cluster = useCluster();
  const flagger = useController(cluster);
  const chromium = useBrowser();

  it('lists canaries, follows a release live, promotes a step and aborts', async () => {
    const ns = await cluster.namespace('dash');
    const ref = { apiVersion: API_VERSION, kind: 'Canary', name: 'podinfo', namespace: ns };
    await flagger.serveTraffic(ns, 'podinfo', { rps: 10, successRate: 100, latencyMs: 30 });
    await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
    await cluster.client.create(podinfoCanary(ns, { interval: '2s', stepWeight: 20, maxWeight: 60 }));
    await eventually(
      async () => (await getCanary(cluster, ns)).status?.phase === 'Initialized',
      'init',
      60_000,
    );

    const url = await startDashboard(cluster, { auth: 'local', readOnly: false });
    const page = await chromium.browser.newPage();
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
    await page.setViewport({ width: 1200, height: 800 });
    await page.goto(url);
    const row = `tr[data-canary="${ns}/podinfo"]`;
    await page.waitForSelector(row);
    await waitForText(page, row, 'Initialized');

    // A release: the page, opened before, shows it without a reload.
    await cluster.client.patch(ref, 'merge', { spec: { analysis: { interval: '60s' } } });
    await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
    await waitForText(page, row, 'Progressing');
    if (SCREENSHOTS !== undefined) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-fleet.png') });
    }

    await page.click(`${row} a`);
    await page.waitForSelector('#actions button[data-action="promote"]');
    await confirm(page, 'promote');
    await eventually(
      async () => ((await getCanary(cluster, ns)).status?.canaryWeight ?? 0) >= 20,
      'the promoted step did not run',
      20_000,
    );
    await waitForText(page, '#events', 'asked to run');
    // The canary view follows the step the controller made, live.
    await waitForText(page, '#canary-summary', 'step 1 of 3');
    if (SCREENSHOTS !== undefined) {
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-canary.png'), fullPage: true });
    }

    await eventually(
      async () => (await getCanary(cluster, ns)).metadata.annotations?.['flagger.app/promote'] === undefined,
      'the one-shot promote annotation stayed',
    );
    await confirm(page, 'abort');
    await eventually(async () => (await getCanary(cluster, ns)).status?.phase === 'Failed', 'abort', 20_000);
    assert.ok(
      (await canaryEvents(cluster, ns)).some(e => e.includes('asked to roll the current release back')),
    );
    await waitForText(page, '#canary-summary', 'Failed');
    await page.close();
  });

  it('in token mode a viewer sees what their Role allows and no token is refused', async () => {
    const mine = await cluster.namespace('mine');
    const theirs = await cluster.namespace('theirs');
    for (const ns of [mine, theirs]) await cluster.client.create(podinfoCanary(ns));
    const token = await viewerToken(cluster, mine);
    const url = await startDashboard(cluster, { auth: 'token', readOnly: false });
    const get = (
      path: string,
      bearer?: string,
      init: { method?: string; headers?: Record<string, string> } = {},
    ) =>
      fetch(new URL(path, url), {
        ...init,
        headers: { ...init.headers, ...(bearer !== undefined && { Authorization: `Bearer ${bearer}` }) },
      });

    assert.equal((await get('/api/fleet')).status, 401);
    assert.equal((await get('/api/fleet', 'not-a-token')).status, 401);
    const fleet = await get('/api/fleet', token);
    const rows = (await fleet.json()) as { namespace: string }[];
    assert.equal(fleet.status, 200, JSON.stringify(rows));
    assert.deepEqual([...new Set(rows.map(r => r.namespace))], [mine]);
    assert.equal((await get(`/api/canaries/${theirs}/podinfo`, token)).status, 403);
    assert.equal((await get(`/api/canaries/${mine}/podinfo`, token)).status, 200);
    const abort = { method: 'POST', headers: { 'X-Flagger-Dashboard': '1' } };
    assert.equal(
      (await get(`/api/canaries/${mine}/podinfo/abort`, token, abort)).status,
      403,
      'no patch right',
    );
    const admin = (await cluster.client.connection()).token ?? '';
    assert.equal((await get(`/api/canaries/${mine}/podinfo/pause`, admin, { method: 'POST' })).status, 403);
    const crossSite = {
      method: 'POST',
      headers: { 'X-Flagger-Dashboard': '1', Origin: 'https://evil.example' },
    };
    assert.equal((await get(`/api/canaries/${mine}/podinfo/pause`, admin, crossSite)).status, 403);

    // In the page: the token is pasted once, and the viewer sees only their namespace.
    const page = await chromium.browser.newPage();
    await page.goto(url);
    await page.waitForSelector('#token-form:not([hidden])');
    await page.type('#token', token);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector(`tr[data-canary="${mine}/podinfo"]`);
    assert.equal(await page.$(`tr[data-canary="${theirs}/podinfo"]`), null);
    await page.click(`tr[data-canary="${mine}/podinfo"] a`);
    await waitForText(page, '#actions', 'may not change');
    await page.close();
  });

  it('--read-only shows no actions and refuses them', async () => {
    const ns = await cluster.namespace('readonly');
    await cluster.client.create(podinfoCanary(ns));
    const url = await startDashboard(cluster, { auth: 'local', readOnly: true });
    const page = await chromium.browser.newPage();
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await page.goto(`${url}#/canary/${ns}/podinfo`);
    await waitForText(page, '#actions', 'read-only');
    assert.equal(await page.$('#actions button'), null);
    const response = await fetch(new URL(`/api/canaries/${ns}/podinfo/abort`, url), {
      method: 'POST',
      headers: { 'X-Flagger-Dashboard': '1' },
    });
    assert.equal(response.status, 403);
    const rebound = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(url);
      httpGet(
        { host: '127.0.0.1', port, path: '/api/fleet', headers: { Host: `evil.example:${port}` } },
        res => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      ).on('error', reject);
    });
    assert.equal(rebound, 421, 'a rebound host name is refused');
    await page.close();
  });
});
