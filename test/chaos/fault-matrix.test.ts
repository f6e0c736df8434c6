// Every metric provider and notifier against a local server that first checks the exact request, then misbehaves
// (see matrix/faults.ts), driven through the code the controller runs: a metric check (checkMetric, from the
// MetricTemplate and its Secret) or a notifier post. Each must fail closed with a clear message within its own
// deadline and reading a bounded answer. The outcome of every cell is the table in test/chaos/README.md, written
// by this test (compared instead when CI is set, so that a committed table a run does not reproduce fails).
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CanaryMetric } from '../../src/api/canary-analysis.ts';
import { API_VERSION } from '../../src/api/crds.ts';
import { checkMetric, type MetricCheckContext } from '../../src/metrics/check.ts';
import { PrometheusProvider } from '../../src/metrics/providers/prometheus.ts';
import { createNotifier } from '../../src/notifiers/registry.ts';
import { waitFor } from '../../src/playground/process.ts';
import { MAX_RESPONSE_BYTES } from '../../src/util/http.ts';
import { BadServer, type BadRequest } from '../harness/bad-server.ts';
import { podinfoCanary } from '../harness/workloads.ts';
import { FAULTS, httpFault, NOTIFIER_FAULTS, type Fault, type HttpFault } from './matrix/faults.ts';
import { HTTP_METRIC_ROWS } from './matrix/metric-rows-http.ts';
import { METADATA_CASE, metadataServer, otherMetricRows } from './matrix/metric-rows-other.ts';
import { NOTIFIER_ROWS } from './matrix/notifier-rows.ts';
import { NAMESPACE, SECRETS, type MetricRow, type NotifierRow } from './matrix/rows.ts';
import { FAILED_CLOSED, renderMatrix, updateReadme, type CellResult, type RowInfo } from './matrix/table.ts';

/** Room for a loaded machine on top of a deadline: bounds are asserted, not timings. */
const SLACK_MS = 10_000;
/** What the socket buffers of loopback may hold beyond what the client read before it hung up. */
const SOCKET_BUFFERS = 32 * 1024 * 1024;
/** Most characters of a message: it goes into events, logs and the Canary's status. */
const MAX_MESSAGE_CHARS = 4_096;
const README = fileURLToPath(new URL('./README.md', import.meta.url));

const canary = podinfoCanary(NAMESPACE);
const metric: CanaryMetric = {
  name: 'probe',
  templateRef: { name: 'probe' },
  thresholdRange: { min: 0 },
  interval: '1m',
};
const notification = {
  workload: 'podinfo',
  namespace: NAMESPACE,
  message: 'Canary analysis failed, rollback',
  fields: [{ name: 'Cluster', value: 'test' }],
  severity: 'error' as const,
};

const bad = await BadServer.start();
bad.on(METADATA_CASE, metadataServer);
const METRIC_ROWS: readonly MetricRow[] = [...HTTP_METRIC_ROWS, ...otherMetricRows(bad.url)];

/** The cells that set process-wide environment variables run one at a time, each with its variables. */
let environments: Promise<unknown> = Promise.resolve();

function withEnvironment<T>(
  environment: Record<string, string> | undefined,
  action: () => Promise<T>,
): Promise<T> {
  if (environment === undefined) return action();
  const turn = environments.then(async () => {
    const saved = Object.keys(environment).map(name => [name, process.env[name]] as const);
    Object.assign(process.env, environment);
    try {
      return await action();
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = value;
      }
    }
  });
  environments = turn.catch(() => undefined);
  return turn;
}

/** The outcome of a cell's exchange and how long it took. */
function timed<T>(environment: Record<string, string> | undefined, action: () => Promise<T>) {
  return withEnvironment(environment, async () => {
    const started = performance.now();
    const outcome = await action();
    return { outcome, elapsedMs: performance.now() - started };
  });
}

/** What is wrong with a failure's message: none, too long, quoting a secret or a stack. */
function messageProblems(message: string): string[] {
  const found: string[] = [];
  if (message === '') found.push('no message');
  if (message.length > MAX_MESSAGE_CHARS) found.push(`a message of ${message.length} characters`);
  if (Object.values(SECRETS).some(secret => message.includes(secret)))
    found.push('the message quotes a secret');
  if (/\n\s+at /.test(message)) found.push('a stack in the message');
  return found;
}

/** What is wrong with the exchange: too slow, a connection left open, too much read, an unexpected request. */
async function exchangeProblems(
  name: string,
  expect: (requests: readonly BadRequest[]) => void,
  bounds: { timeoutMs: number; lingerMs?: number | undefined },
  elapsedMs: number,
): Promise<string[]> {
  const found: string[] = [];
  if (elapsedMs > bounds.timeoutMs + SLACK_MS) found.push(`took ${Math.round(elapsedMs)} ms`);
  // Every connection closes once the client has hung up on it.
  const closed = () => bad.requestsTo(name).every(r => r.end !== undefined);
  await waitFor(closed, (bounds.lingerMs ?? 0) + SLACK_MS, 'open').catch(() =>
    found.push('a connection stayed open'),
  );
  const requests = bad.requestsTo(name);
  const most = Math.max(0, ...requests.map(r => r.bytes));
  if (most > MAX_RESPONSE_BYTES + SOCKET_BUFFERS) found.push(`${most} bytes written`);
  try {
    expect(requests);
  } catch (err) {
    found.push(
      `unexpected request: ${err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)}`,
    );
  }
  return found;
}

async function metricCell(row: MetricRow, fault: Fault): Promise<CellResult> {
  const name = `${row.type}-${fault}`;
  const base = `${bad.url}/${name}`;
  const cell = row.cell(fault, base);
  bad.on(name, cell.behaves);
  const setup = row.setup(base);
  const template = {
    apiVersion: API_VERSION,
    kind: 'MetricTemplate',
    metadata: { name: 'probe', namespace: NAMESPACE },
    spec: { provider: setup.provider, query: setup.query },
  };
  const data = Object.fromEntries(
    Object.entries(setup.secret ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  );
  const context: MetricCheckContext = {
    prometheus: new PrometheusProvider({ address: `${bad.url}/unused` }),
    meshProvider: 'istio',
    templates: { get: () => template },
    secrets: { get: () => Promise.resolve({ data }) },
    ...setup.context,
  };
  const { outcome: check, elapsedMs } = await timed(setup.environment, () =>
    checkMetric(canary, metric, context),
  );
  const message = check.ok ? '' : check.message;
  const found = check.ok ? [`passed with ${check.value}`] : messageProblems(message);
  found.push(...(await exchangeProblems(name, cell.expect, row, elapsedMs)));
  const outcome = found.length === 0 ? FAILED_CLOSED : found.join('; ');
  return { family: 'metrics', provider: row.type, fault, outcome, verdict: check.verdict, message };
}

async function notifierCell(row: NotifierRow, fault: HttpFault): Promise<CellResult> {
  const name = `${row.type}-${fault}`;
  const base = bad.on(name, httpFault(fault, 'notifiers'));
  const notifier = createNotifier(row.type, {
    ...row.options(base),
    username: 'flagger',
    channel: 'general',
  });
  const { outcome: error, elapsedMs } = await timed(undefined, () =>
    notifier.post(notification).then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    ),
  );
  const message = error?.message ?? '';
  const found = error === undefined ? ['reported no error'] : messageProblems(message);
  const expect = (requests: readonly BadRequest[]) => row.expect(requests, base);
  found.push(...(await exchangeProblems(name, expect, row, elapsedMs)));
  const outcome = found.length === 0 ? FAILED_CLOSED : found.join('; ');
  return { family: 'notifiers', provider: row.type, fault, outcome, verdict: 'error', message };
}

/**
 * Reading 10 MiB through fetch's streams takes a few hundred milliseconds of this one thread: the cells that read
 * large answers run after the others, one at a time, so that they do not delay the others' timers.
 */
const HEAVY: readonly Fault[] = ['huge', 'endless'];

describe('provider fault matrix', () => {
  const results: CellResult[] = [];
  after(() => bad.stop());

  const record = async (t: TestContext, cell: Promise<CellResult>) => {
    const result = await cell;
    results.push(result);
    t.diagnostic(`${result.verdict}: ${result.message}`);
    assert.equal(result.outcome, FAILED_CLOSED);
  };
  const cells = (heavy: boolean) => {
    for (const row of METRIC_ROWS) {
      for (const fault of FAULTS.filter(f => HEAVY.includes(f) === heavy)) {
        it(`${row.type}: ${fault}`, t => record(t, metricCell(row, fault)));
      }
    }
    for (const row of NOTIFIER_ROWS) {
      for (const fault of NOTIFIER_FAULTS.filter(f => HEAVY.includes(f) === heavy)) {
        it(`${row.type}: ${fault}`, t => record(t, notifierCell(row, fault)));
      }
    }
  };
  describe('cells', { concurrency: true }, () => cells(false));
  describe('cells reading large answers', { concurrency: 1 }, () => cells(true));

  it('writes the table of every cell to test/chaos/README.md (compares it when CI is set)', async () => {
    const rows: RowInfo[] = [
      ...METRIC_ROWS.map(({ type, timeoutMs, timeoutSource }) => ({
        family: 'metrics' as const,
        provider: type,
        timeoutMs,
        timeoutSource,
      })),
      ...NOTIFIER_ROWS.map(({ type, timeoutMs }) => ({
        family: 'notifiers' as const,
        provider: type,
        timeoutMs,
        timeoutSource: "NOTIFIER_TIMEOUT_MS, Flagger's 5s",
      })),
    ];
    const compare = process.env.CI !== undefined && process.env.CI !== '';
    assert.equal(await updateReadme(README, renderMatrix(rows, results), compare), undefined);
  });
});
