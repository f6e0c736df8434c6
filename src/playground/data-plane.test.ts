import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { istioObserver } from '../metrics/observers/istio.ts';
import { DataPlane, type Behaviour } from './data-plane.ts';
import type { Route } from './mesh-routes.ts';

const behaviours: Record<string, Behaviour> = {
  good: { errorRate: 0, latencyMs: [1, 3] },
  bad: { errorRate: 1, latencyMs: [5, 8] },
};

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Series[] {
  return text
    .split('\n')
    .filter(line => line !== '' && !line.startsWith('#'))
    .map(line => {
      const [, name = '', body = '', value = ''] = /^(\w+)\{(.*)\} (\S+)$/.exec(line) ?? [];
      const labels = Object.fromEntries(
        [...body.matchAll(/(\w+)="([^"]*)"/g)].map(([, k = '', v = '']) => [k, v]),
      );
      return { name, labels, value: Number(value) };
    });
}

/** Whether every label matcher of the query (rendered for podinfo in test) holds for the labels. */
function selects(query: string, labels: Record<string, string>): boolean {
  const rendered = query.replaceAll('{{ namespace }}', 'test').replaceAll('{{ target }}', 'podinfo');
  return [...rendered.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].every(([, key = '', op, value = '']) => {
    const actual = labels[key] ?? '';
    const matches = op === '=' || op === '!=' ? actual === value : new RegExp(`^(?:${value})$`).test(actual);
    return op?.startsWith('!') === true ? !matches : matches;
  });
}

describe('DataPlane', () => {
  let routes: Route[] = [];
  let plane: DataPlane;

  before(async () => {
    plane = await DataPlane.start({ namespace: 'test', routes: () => routes, behaviours });
  });
  after(() => plane.stop());

  async function get(): Promise<{ status: number; version?: string }> {
    const response = await fetch(plane.url);
    const body = (await response.json().catch(() => ({}))) as { version?: string };
    return { status: response.status, version: body.version };
  }

  async function metrics(): Promise<Series[]> {
    return parseExposition(await (await fetch(`${plane.url}metrics`)).text());
  }

  it('answers 503 without reporting anything when no ready destination has weight', async () => {
    assert.equal((await get()).status, 503);
    routes = [{ workload: 'podinfo-primary', version: 'good', weight: 100, ready: false }];
    assert.equal((await get()).status, 503);
    assert.deepEqual(
      (await metrics()).filter(s => s.name === 'istio_requests_total' && s.value > 0),
      [],
    );
  });

  it('splits requests by weight, answers as each version behaves, and reports them as Istio does', async () => {
    routes = [
      { workload: 'podinfo-primary', version: 'good', weight: 50, ready: true },
      { workload: 'podinfo', version: 'bad', weight: 50, ready: true },
    ];
    const answers = await Promise.all(Array.from({ length: 60 }, () => get()));
    const served = (version: string, status: number) =>
      answers.filter(a => a.version === version && a.status === status).length;
    assert.equal(served('good', 200) + served('bad', 500), 60, JSON.stringify(answers));
    assert.ok(served('good', 200) > 0 && served('bad', 500) > 0, 'both versions served');

    const series = await metrics();
    const requests = (workload: string, code: string) =>
      series.find(
        s =>
          s.name === 'istio_requests_total' &&
          s.labels.destination_workload === workload &&
          s.labels.response_code === code,
      );
    assert.equal(requests('podinfo-primary', '200')?.value, served('good', 200));
    assert.equal(requests('podinfo', '500')?.value, served('bad', 500));
    // Declared at zero before its first success, so the first requests count in rate().
    assert.equal(requests('podinfo', '200')?.value, 0);
    const count = series.find(
      s =>
        s.name === 'istio_request_duration_milliseconds_count' &&
        s.labels.destination_workload === 'podinfo' &&
        s.labels.response_code === '500',
    );
    assert.equal(count?.value, served('bad', 500));
    const fastBucket = series.find(
      s =>
        s.name === 'istio_request_duration_milliseconds_bucket' &&
        s.labels.destination_workload === 'podinfo-primary' &&
        s.labels.response_code === '200' &&
        s.labels.le === '5',
    );
    assert.equal(fastBucket?.value, served('good', 200), 'good answers take 1-3ms');

    const recent = plane.recent();
    assert.deepEqual(recent.map(r => [r.version, r.successRate]).sort(), [
      ['bad', 0],
      ['good', 100],
    ]);
    const bad = recent.find(r => r.version === 'bad');
    assert.ok(bad !== undefined && bad.p99Ms >= 5 && bad.p99Ms <= 8, JSON.stringify(bad));
  });

  it('labels the series exactly as the builtin Istio queries select the canary', async () => {
    const { queries } = istioObserver;
    const series = (await metrics()).filter(s => s.name === 'istio_requests_total');
    const canary = series.filter(s => selects(queries['request-duration'], s.labels));
    assert.deepEqual(canary.map(s => s.labels.response_code).sort(), ['200', '500']);
    const successes = series.filter(s => selects(queries['request-success-rate'], s.labels));
    assert.deepEqual(
      successes.map(s => [s.labels.destination_workload, s.labels.response_code]),
      [['podinfo', '200']],
    );
  });
});
