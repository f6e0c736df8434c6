// The Grafana dashboard deploy/grafana/canary-analysis.json: type-checked against @grafana/schema (the dashboard,
// and each panel's options against its panel plugin's types), checked for layout and wiring, and proven against
// a real release scraped by a real Prometheus: every panel query parses and answers, with the expected values.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  isRow,
  loadDashboard,
  pos,
  PrometheusClient,
  promTargets,
  queryPanels,
  resolveVariables,
  runPanel,
  variableQuery,
  variables,
  type TargetResult,
} from '../../scripts/render-dashboard.ts';
import { startHttpServer } from '../../src/cli/http-server.ts';
import { PrometheusTelemetry } from '../../src/controller/telemetry.ts';
import { eventually, useCluster } from '../harness/cluster.ts';
import { getCanary, useController } from '../harness/controller.ts';
import { expectedP99 } from '../harness/istio-exporter.ts';
import { PrometheusServer } from '../../src/playground/prometheus.ts';
import { podinfoCanary, podinfoDeployment, setImage } from '../harness/workloads.ts';

const dashboard = loadDashboard();

/** The panel plugins the dashboard may use, with the @grafana/schema module holding their option types. */
const PLUGINS: Record<string, { module: string; custom: boolean } | undefined> = {
  timeseries: { module: 'timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen', custom: true },
  stat: { module: 'stat/panelcfg/x/StatPanelCfg_types.gen', custom: false },
  'state-timeline': { module: 'statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen', custom: true },
};

/**
 * A TypeScript module that restates the dashboard as object literals, so that `satisfies` checks them
 * precisely: literal strings against the schema's enums and unions, and no property the schema lacks (a JSON
 * import widens strings to `string` and skips excess property checks). Json<T> is T as JSON spells it: string
 * enums as their values, numeric enums as numbers.
 */
function schemaCheckModule(): string {
  const lines = [
    "import type { Dashboard } from '@grafana/schema';",
    ...Object.entries(PLUGINS).map(
      ([type, plugin], i) =>
        `import type * as plugin${i} from '@grafana/schema/dist/esm/raw/composable/${plugin?.module ?? ''}'; // ${type}`,
    ),
    'type Json<T> = T extends string ? `${T}`',
    '  : T extends number ? (`${T}` extends `${infer N extends number}` ? N : never)',
    '  : T extends boolean ? T',
    '  : T extends readonly (infer E)[] ? Json<E>[]',
    '  : T extends object ? { [K in keyof T]: Json<T[K]> }',
    '  : T;',
    '// the dashboard',
    `export const dashboard = ${JSON.stringify(dashboard, null, 2)} satisfies Json<Dashboard>;`,
  ];
  queryPanels(dashboard).forEach((panel, i) => {
    const index = Object.keys(PLUGINS).indexOf(panel.type);
    assert.ok(
      index >= 0,
      `${panel.title ?? ''}: panel type ${panel.type} is not one of ${Object.keys(PLUGINS).join(', ')}`,
    );
    lines.push(`// ${panel.type} panel "${panel.title ?? ''}"`);
    lines.push(
      `export const options${i} = ${JSON.stringify(panel.options)} satisfies Json<plugin${index}.Options>;`,
    );
    if (PLUGINS[panel.type]?.custom === true) {
      const custom = JSON.stringify(panel.fieldConfig?.defaults.custom ?? {});
      lines.push(`export const custom${i} = ${custom} satisfies Json<plugin${index}.FieldConfig>;`);
    }
  });
  return `${lines.join('\n')}\n`;
}

/** Compiles a module as if it were the file `path` of this project; returns its errors, each with its line. */
function typeErrors(path: string, source: string): string[] {
  const configFile = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  const config = ts.readConfigFile(configFile, file => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(
    config.config,
    ts.sys,
    fileURLToPath(new URL('../..', import.meta.url)),
  );
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) =>
    file === path ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = file => file === path || fileExists(file);
  const readFile = host.readFile.bind(host);
  host.readFile = file => (file === path ? source : readFile(file));
  const program = ts.createProgram([path], { ...options, noEmit: true, noUnusedLocals: false }, host);
  const lines = source.split('\n');
  return ts.getPreEmitDiagnostics(program).map(d => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    // The nearest comment above names the panel.
    const context = lines.slice(0, line + 1).findLast(l => l.startsWith('// ')) ?? '';
    return `line ${line + 1} ${context}: ${(lines[line] ?? '').trim()}\n${message}`;
  });
}

describe('Grafana dashboard deploy/grafana/canary-analysis.json', () => {
  it('satisfies the Dashboard type of @grafana/schema, and each panel its plugin types', () => {
    const path = fileURLToPath(new URL('./grafana-dashboard.check.ts', import.meta.url));
    const errors = typeErrors(path, schemaCheckModule());
    assert.deepEqual(errors, [], errors.join('\n\n'));
  });

  it('has the fields Grafana requires, laid out on the 24-column grid without overlaps', () => {
    assert.match(dashboard.uid ?? '', /^[\w-]{1,40}$/);
    assert.ok(dashboard.title);
    assert.ok(dashboard.schemaVersion >= 39, String(dashboard.schemaVersion));
    const all = [
      ...(dashboard.panels ?? []),
      ...(dashboard.panels ?? []).flatMap(p => (isRow(p) ? p.panels : [])),
    ];
    const ids = all.map(p => p.id);
    assert.equal(new Set(ids).size, ids.length, `panel ids not unique: ${ids.join(', ')}`);
    for (const panel of all) {
      const { x, y, w, h } = pos(panel);
      assert.ok(panel.gridPos, `${panel.title ?? ''}: no gridPos`);
      assert.ok(
        x >= 0 && w > 0 && h > 0 && y >= 0 && x + w <= 24,
        `${panel.title ?? ''}: gridPos ${JSON.stringify(panel.gridPos)}`,
      );
      for (const other of all) {
        if (other === panel) continue;
        const o = pos(other);
        const overlaps = x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h;
        assert.ok(!overlaps, `${panel.title ?? ''} overlaps ${other.title ?? ''}`);
      }
    }
    for (const panel of queryPanels(dashboard)) {
      const targets = promTargets(panel);
      assert.ok(targets.length > 0, `${panel.title ?? ''}: no targets`);
      assert.equal(
        new Set(targets.map(t => t.refId)).size,
        targets.length,
        `${panel.title ?? ''}: refIds not unique`,
      );
      const sources = [panel.datasource, ...(panel.targets ?? []).map(t => t.datasource)];
      for (const source of sources)
        assert.deepEqual(
          source,
          { type: 'prometheus', uid: '${datasource}' },
          `${panel.title ?? ''}: data source`,
        );
    }
  });

  it('has the datasource, namespace and target variables, and queries use only those', () => {
    const byName = new Map(variables(dashboard).map(v => [v.name, v]));
    assert.deepEqual([...byName.keys()], ['datasource', 'namespace', 'target']);
    assert.equal(byName.get('datasource')?.type, 'datasource');
    assert.equal(byName.get('datasource')?.query, 'prometheus');
    for (const [name, label] of [
      ['namespace', 'namespace'],
      ['target', 'name'],
    ] as const) {
      const variable = byName.get(name);
      assert.equal(variable?.type, 'query');
      assert.deepEqual(variable.datasource, { type: 'prometheus', uid: '${datasource}' });
      const query = variableQuery(variable);
      assert.equal(query.label, label);
      assert.match(query.match ?? '', /^flagger_canary_status\b/);
    }
    const known = new Set([...byName.keys(), '__interval', '__rate_interval']);
    for (const panel of queryPanels(dashboard)) {
      for (const { expr } of promTargets(panel)) {
        for (const [, braced, bare] of expr.matchAll(/\$\{(\w+)\}|\$(\w+)/g))
          assert.ok(known.has(braced ?? bare ?? ''), `${panel.title ?? ''}: unknown variable in ${expr}`);
      }
    }
  });

  it('shows every canary series and the Istio RED metrics of primary and canary', () => {
    const exprs = queryPanels(dashboard).flatMap(p => promTargets(p).map(t => t.expr));
    const uses = (pattern: RegExp) => exprs.filter(e => pattern.test(e));
    for (const series of [
      'flagger_canary_status',
      'flagger_canary_weight',
      'flagger_canary_total',
      'flagger_canary_duration_seconds_bucket',
      'flagger_canary_metric_analysis',
      'flagger_canary_successes_total',
      'flagger_canary_failures_total',
      'istio_requests_total',
      'istio_request_duration_milliseconds_bucket',
    ])
      assert.ok(uses(new RegExp(`\\b${series}\\b`)).length > 0, `no panel shows ${series}`);
    assert.ok(
      uses(/histogram_quantile\(0\.99,[\s\S]*istio_request_duration_milliseconds_bucket/).length >= 2,
    );
    // Only what the destination's sidecar reports counts, as in the analysis' own queries.
    for (const expr of uses(/istio_/))
      for (const selector of expr.matchAll(/istio_\w+\{([^}]*)\}/g))
        assert.match(selector[1] ?? '', /reporter="destination"/, expr);
  });

  describe('during a release scraped by Prometheus', () => {
    const cluster = useCluster();
    const telemetry = new PrometheusTelemetry('istio');
    const flagger = useController(cluster, () => ({ kube: cluster.plane.client(), telemetry }));
    const scraper = {} as { server: Server; prometheus: PrometheusServer; client: PrometheusClient };
    before(async () => {
      scraper.server = await startHttpServer({ port: 0, registry: telemetry.registry, ready: () => true });
      const address = scraper.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      // One Prometheus scraping both the controller and the mesh, as the dashboard's data source would.
      scraper.prometheus = await PrometheusServer.start([
        flagger.exporter.target,
        `127.0.0.1:${String(port)}`,
      ]);
      scraper.client = new PrometheusClient(scraper.prometheus.url);
    });
    after(async () => {
      await scraper.prometheus.stop();
      await new Promise(resolve => scraper.server.close(resolve));
    });

    /** The last value of a query once Prometheus has scraped it. */
    const instant = async (query: string): Promise<number | undefined> => {
      const series = await scraper.client.rangeQuery(query, {
        start: Date.now() / 1000,
        end: Date.now() / 1000,
        stepSeconds: 1,
      });
      const value = series[0]?.points[0]?.[1];
      return value;
    };

    it('answers every panel query with series, and the values of the release', async () => {
      const ns = await cluster.namespace('dashboard');
      const start = Math.floor(Date.now() / 1000) - 5;
      await flagger.serveTraffic(ns, 'podinfo-primary', { rps: 20, successRate: 100, latencyMs: 40 });
      await flagger.serveTraffic(ns, 'podinfo', { rps: 10, successRate: 99.5, latencyMs: 120 });
      await cluster.client.create(podinfoDeployment(ns, 'podinfo:6.0.0'));
      // Ticks 3s apart: two analysis durations observed between two scrapes would leave no rate to show.
      await cluster.client.create(
        podinfoCanary(ns, { interval: '3s', stepWeight: 50, maxWeight: 50, threshold: 1 }),
      );
      const phase = async () => (await getCanary(cluster, ns)).status?.phase;
      await eventually(async () => (await phase()) === 'Initialized', 'not initialized', 60_000);
      await setImage(cluster.client, ns, 'Deployment', 'podinfo:6.0.1');
      await eventually(async () => (await phase()) === 'Succeeded', 'not promoted', 90_000);
      const labels = `name="podinfo",namespace="${ns}"`;
      await eventually(
        async () =>
          (await instant(`flagger_canary_successes_total{${labels}}`)) === 1 &&
          (await instant(`flagger_canary_status{${labels}}`)) === 1,
        'promotion not scraped',
        30_000,
      );

      const range = { start, end: Math.ceil(Date.now() / 1000), stepSeconds: 1, scrapeSeconds: 1 };
      const { selection, options } = await resolveVariables(scraper.client, dashboard, range, {
        namespace: ns,
      });
      assert.ok(options.namespace?.includes(ns), JSON.stringify(options));
      assert.deepEqual(
        selection.target,
        ['podinfo'],
        'target defaults to All: the one target of the namespace',
      );

      const results = new Map<string, TargetResult[]>();
      for (const panel of queryPanels(dashboard)) {
        const title = panel.title ?? '';
        const answers = await runPanel(scraper.client, dashboard, panel, selection, range).catch(
          (err: unknown) => {
            throw new Error(`${title}: ${String(err)}`);
          },
        );
        for (const { target, expr, series } of answers) {
          assert.ok(series.length > 0, `${title} (${target.refId}): no series for ${expr}`);
          const finite = series.some(s => s.points.some(([, v]) => Number.isFinite(v)));
          assert.ok(finite, `${title} (${target.refId}): no finite value for ${expr}`);
        }
        results.set(title, answers);
      }
      checkValues(results, ns);
    });
  });
});

/** The series of a panel's query, by legend, each as its values over the release. */
function seriesOf(results: Map<string, TargetResult[]>, title: string, refId = 'A'): Map<string, number[]> {
  const answers = results.get(title);
  assert.ok(answers, `no panel ${title}`);
  const answer = answers.find(a => a.target.refId === refId);
  assert.ok(answer, `${title}: no query ${refId}`);
  return new Map(
    answer.series.map(s => [s.name, s.points.map(([, v]) => v).filter(v => Number.isFinite(v))]),
  );
}

function values(results: Map<string, TargetResult[]>, title: string, refId: string, name: string): number[] {
  const series = seriesOf(results, title, refId);
  const found = series.get(name);
  assert.ok(
    found && found.length > 0,
    `${title} (${refId}): no series ${name} in ${[...series.keys()].join(', ')}`,
  );
  return found;
}

function last(list: number[]): number {
  return list[list.length - 1] ?? Number.NaN;
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function near(actual: number, expected: number, what: string, tolerance = 0.05): void {
  assert.ok(
    Math.abs(actual - expected) <= Math.abs(expected) * tolerance + 1e-9,
    `${what}: ${actual} != ${expected}`,
  );
}

/** What the panels show of the release: promoted after one step at 50%, with the traffic the exporter served. */
function checkValues(results: Map<string, TargetResult[]>, ns: string): void {
  assert.equal(last(values(results, 'Status', 'A', 'podinfo')), 1);
  const timeline = values(results, 'Canary status per target', 'A', 'podinfo');
  assert.ok(timeline.includes(0) && last(timeline) === 1, `status over time: ${timeline.join(',')}`);
  assert.equal(last(values(results, 'Canary weight', 'A', 'podinfo')), 0);
  assert.equal(last(values(results, 'Promotions', 'A', 'podinfo')), 1);
  assert.equal(last(values(results, 'Rollbacks', 'A', 'podinfo')), 0);
  assert.equal(last(values(results, 'Canaries', 'A', ns)), 1);

  const weight = 'Traffic weight: primary vs canary';
  const primary = values(results, weight, 'A', 'primary podinfo-primary');
  assert.ok(Math.min(...primary) === 50 && last(primary) === 100, `primary weight: ${primary.join(',')}`);
  assert.equal(Math.max(...values(results, weight, 'B', 'canary podinfo')), 50);

  const mean = values(results, 'Analysis duration', 'A', 'podinfo mean');
  assert.ok(
    mean.every(v => v >= 0 && v < 10),
    `mean analysis duration: ${mean.join(',')}`,
  );
  values(results, 'Analysis duration', 'B', 'podinfo p99');

  const metrics = 'Analysis metrics';
  near(last(values(results, metrics, 'A', 'podinfo request-success-rate')), 99.5, 'success rate');
  near(
    last(values(results, metrics, 'A', 'podinfo request-duration')),
    expectedP99(120) / 1000,
    'request duration',
  );

  const outcomes = 'Promotions and rollbacks per canary';
  assert.equal(last(values(results, outcomes, 'A', 'podinfo promoted')), 1);
  assert.equal(last(values(results, outcomes, 'B', 'podinfo rolled back')), 0);

  // Rates over a 4s window move with every late scrape on a busy machine: their median is the steady value.
  near(median(values(results, 'Request rate', 'A', 'primary podinfo-primary')), 20, 'primary request rate');
  near(median(values(results, 'Request rate', 'B', 'canary podinfo')), 10, 'canary request rate');
  // Only the destination's reports: the source reporter's 503s must not show.
  assert.equal(last(values(results, 'Error rate (5xx)', 'A', 'primary podinfo-primary')), 0);
  near(median(values(results, 'Error rate (5xx)', 'B', 'canary podinfo')), 0.5, 'canary error rate');
  near(
    last(values(results, 'Latency p99', 'A', 'primary podinfo-primary')),
    expectedP99(40),
    'primary p99',
    0.001,
  );
  near(last(values(results, 'Latency p99', 'B', 'canary podinfo')), expectedP99(120), 'canary p99', 0.001);
}
