// The documented extensions (docs/extensions.md), one tick at a time against in-memory plugins: the
// skip-analysis and reset annotations, analysis.delay and the dry-run layer.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Canary, CanaryWebhook } from '../api/canary.ts';
import type { KubeClient } from '../kube/client.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { Routes } from '../routers/types.ts';
import { advanceCanary } from './advance.ts';
import { dryRun } from './dry-run.ts';
import { analysisDelayRemainingMs, RESET_ANNOTATION, SKIP_ANALYSIS_ANNOTATION } from './extensions.ts';
import { addFinalizer } from './finalize.ts';
import { CanaryRecorder } from './recorder.ts';
import { markRunStart, withoutAnnotation } from './status.ts';
import type { SchedulerDeps } from './types.ts';

const SPEC_HASH = 'rev-2';

/** One canary and its plugins in memory; records what the tick did. */
class World {
  stored: Canary;
  routes: Routes;
  readonly events: string[] = [];
  readonly logs: string[] = [];
  readonly calls: string[] = [];
  readonly deps: SchedulerDeps;

  constructor(canary: Canary, routes: Routes) {
    this.stored = canary;
    this.routes = routes;
    const logger = loggerInto(this.logs);
    const did = (call: string) => () => {
      this.calls.push(call);
      return Promise.resolve();
    };
    const ready = () => Promise.resolve({ ready: true as const });
    this.deps = {
      kube: { tryGet: () => Promise.resolve(structuredClone(this.stored)) } as unknown as KubeClient,
      status: {
        apply: (_canary, ...changes) => {
          const next = structuredClone(this.stored);
          for (const change of changes) next.status = change(next, new Date().toISOString());
          return Promise.resolve((this.stored = next));
        },
        modifyMetadata: (_canary, change) => {
          const next = structuredClone(this.stored);
          change.apply(next.metadata);
          return Promise.resolve((this.stored = next));
        },
      },
      recorder: new CanaryRecorder({
        logger,
        events: {
          record: (_obj, _type, _reason, message) => {
            this.events.push(message);
            return Promise.resolve();
          },
        },
        alerter: { alert: () => Promise.resolve() },
      }),
      meshProvider: 'istio',
      target: () => ({
        getMetadata: () => Promise.resolve({ labelKey: 'app', labelValue: 'podinfo', ports: [] }),
        initialize: did('initialize'),
        isPrimaryReady: ready,
        isCanaryReady: ready,
        revision: () => Promise.resolve({ specHash: SPEC_HASH, trackedConfigs: {} }),
        hasTargetChanged: canary => Promise.resolve(canary.status?.lastAppliedSpec !== SPEC_HASH),
        isPromoted: canary => Promise.resolve(canary.status?.lastPromotedSpec === SPEC_HASH),
        haveDependenciesChanged: () => Promise.resolve(false),
        promote: did('promote'),
        scaleToZero: did('scaleToZero'),
        scaleFromZero: did('scaleFromZero'),
        finalize: did('finalize'),
      }),
      scaler: () => undefined,
      services: () => ({
        initialize: did('services'),
        reconcile: did('services'),
        finalize: did('services'),
      }),
      router: () => ({
        reconcile: did('router.reconcile'),
        getRoutes: () => Promise.resolve(this.routes),
        setRoutes: (_canary, routes) => {
          this.routes = routes;
          return Promise.resolve({});
        },
        finalize: did('router.finalize'),
      }),
      callHook: hook => {
        this.calls.push(`hook ${hook.name}`);
        return Promise.resolve({ ok: true });
      },
      checkMetric: (_canary, metric) => {
        this.calls.push(`metric ${metric.name}`);
        return Promise.resolve({
          metric: metric.name,
          ok: true,
          verdict: 'Passed',
          value: 100,
          provider: 'prometheus',
          interval: '1m',
        });
      },
      metricProviderProblems: () => Promise.resolve([]),
    };
  }

  /** The webhooks and metrics called, in order. */
  checks(): string[] {
    return this.calls.filter(call => call.startsWith('hook') || call.startsWith('metric'));
  }

  async tick(deps = this.deps): Promise<void> {
    await advanceCanary(deps, 'test', 'podinfo');
  }
}

const hooks: CanaryWebhook[] = [
  { name: 'load', type: 'rollout', url: 'http://hooks/load' },
  { name: 'gate', type: 'confirm-traffic-increase', url: 'http://hooks/gate' },
];

function canary(
  status: Canary['status'],
  options: { annotations?: Record<string, string>; delay?: string } = {},
): Canary {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'podinfo', namespace: 'test', annotations: options.annotations },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
      service: { port: 9898 },
      analysis: {
        interval: '1m',
        threshold: 5,
        maxWeight: 50,
        stepWeight: 10,
        delay: options.delay,
        metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }],
        webhooks: hooks,
      },
    },
    status: {
      lastAppliedSpec: SPEC_HASH,
      lastPromotedSpec: 'rev-1',
      failedChecks: 0,
      iterations: 0,
      ...status,
    },
  };
}

const progressing = (canaryWeight: number): Canary['status'] => ({ phase: 'Progressing', canaryWeight });
const split = (canaryWeight: number): Routes => ({
  primaryWeight: 100 - canaryWeight,
  canaryWeight,
  mirrored: false,
});
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('annotation flagger.app/skip-analysis', () => {
  it('promotes the revision under analysis at once, then removes itself', async () => {
    const world = new World(
      canary(progressing(20), { annotations: { [SKIP_ANALYSIS_ANNOTATION]: 'true', team: 'a' } }),
      split(20),
    );
    await world.tick();
    assert.equal(world.stored.status?.phase, 'Succeeded');
    assert.deepEqual(world.routes, split(0));
    assert.ok(world.calls.includes('promote'));
    assert.ok(!world.calls.some(call => call.startsWith('metric')));
    assert.deepEqual(world.stored.metadata.annotations, { team: 'a' });
    assert.ok(world.events.includes('Promotion completed! Canary analysis was skipped for podinfo.test'));
  });

  it('is ignored unless "true"', async () => {
    const world = new World(
      canary(progressing(20), { annotations: { [SKIP_ANALYSIS_ANNOTATION]: 'yes' } }),
      split(20),
    );
    await world.tick();
    assert.equal(world.stored.status?.canaryWeight, 30);
    assert.equal(world.stored.metadata.annotations?.[SKIP_ANALYSIS_ANNOTATION], 'yes');
  });
});

describe('annotation flagger.app/reset', () => {
  it('starts a run in progress over from weight 0', async () => {
    const world = new World(
      canary({ ...progressing(30), failedChecks: 2 }, { annotations: { [RESET_ANNOTATION]: 'true' } }),
      split(30),
    );
    await world.tick();
    assert.deepEqual(world.routes, split(0));
    const { phase, canaryWeight, failedChecks } = world.stored.status ?? {};
    assert.deepEqual(
      { phase, canaryWeight, failedChecks },
      { phase: 'Progressing', canaryWeight: 0, failedChecks: 0 },
    );
    assert.deepEqual(world.events, ['Analysis reset for podinfo.test']);
    assert.equal(world.stored.metadata.annotations?.[RESET_ANNOTATION], undefined);
    await world.tick();
    assert.ok(world.events.includes('Starting canary analysis for podinfo.test'));
  });

  it('starts a new run of the current revision of an idle canary', async () => {
    const world = new World(
      canary(
        { phase: 'Succeeded', lastPromotedSpec: SPEC_HASH },
        { annotations: { [RESET_ANNOTATION]: 'true' } },
      ),
      split(0),
    );
    await world.tick();
    assert.equal(world.stored.status?.phase, 'Progressing');
    assert.ok(world.calls.includes('scaleFromZero'));
    assert.deepEqual(world.events, [
      'Analysis reset for podinfo.test',
      'New revision detected! Scaling up podinfo.test',
    ]);
    assert.equal(world.stored.metadata.annotations?.[RESET_ANNOTATION], undefined);
  });

  it('waits for a promotion in progress to finish', async () => {
    const world = new World(
      canary({ phase: 'Promoting' }, { annotations: { [RESET_ANNOTATION]: 'true' } }),
      split(50),
    );
    await world.tick();
    assert.equal(world.stored.status?.phase, 'Finalising');
    assert.equal(world.stored.metadata.annotations?.[RESET_ANNOTATION], 'true');
  });

  it('leaves an idle canary without changes alone when not set (Flagger behaviour)', async () => {
    const world = new World(canary({ phase: 'Succeeded', lastPromotedSpec: SPEC_HASH }), split(0));
    await world.tick();
    assert.equal(world.stored.status?.phase, 'Succeeded');
    assert.deepEqual(world.events, []);
  });
});

describe('analysis.delay', () => {
  it('holds traffic and skips the metrics, but runs the webhooks, until the delay has passed', async t => {
    // A frozen clock: the remaining delay the event gives is exact, however long the tick takes.
    t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-06-01T12:00:00Z') });
    const world = new World(
      canary({ ...progressing(10), analysisStartTime: ago(10_000) }, { delay: '1m' }),
      split(10),
    );
    await world.tick();
    assert.deepEqual(world.routes, split(10));
    assert.deepEqual(world.checks(), ['hook load']);
    assert.equal(world.stored.status?.failedChecks, 0);
    assert.deepEqual(world.events, ['Delaying analysis of podinfo.test for 50s']);

    world.stored = canary({ ...progressing(10), analysisStartTime: ago(61_000) }, { delay: '1m' });
    await world.tick();
    assert.deepEqual(world.checks(), ['hook load', 'hook load', 'metric request-success-rate', 'hook gate']);
    assert.deepEqual(world.routes, split(20));
  });

  it('counts from the start of the run, recorded only for canaries with a delay', async () => {
    for (const delay of ['30s', undefined]) {
      const world = new World(
        canary({ phase: 'Succeeded', lastAppliedSpec: 'rev-1', lastPromotedSpec: 'rev-1' }, { delay }),
        split(0),
      );
      await world.tick();
      assert.equal(world.stored.status?.phase, 'Progressing');
      assert.equal(world.stored.status.analysisStartTime !== undefined, delay !== undefined);
    }
  });

  it('computes the remaining delay', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const at = (delay: string | undefined, analysisStartTime?: string) =>
      analysisDelayRemainingMs(canary({ analysisStartTime }, { delay }), start + 20_000);
    assert.equal(at('1m', '2026-01-01T00:00:00Z'), 40_000);
    assert.equal(at('10s', '2026-01-01T00:00:00Z'), 0);
    assert.equal(at(undefined, '2026-01-01T00:00:00Z'), 0);
    assert.equal(at('1m'), 0, 'a run without a recorded start is not delayed');
    assert.equal(at('1mx', '2026-01-01T00:00:00Z'), 0, 'an invalid delay is no delay');
  });

  it('markRunStart leaves the status of a canary without delay as it is', () => {
    const status = { phase: 'Progressing' as const };
    assert.deepEqual(markRunStart()(canary(status), '2026-01-01T00:00:00Z'), canary(status).status);
    assert.equal(markRunStart()(canary(status, { delay: '1m' }), 'T').analysisStartTime, 'T');
  });
});

describe('dry-run', () => {
  it('takes the same decisions but only logs its changes', async () => {
    const world = new World(canary(progressing(10)), split(10));
    const before = structuredClone(world.stored);
    await world.tick(dryRun(world.deps, loggerInto(world.logs)));
    assert.deepEqual(world.stored, before);
    assert.deepEqual(world.routes, split(10));
    assert.deepEqual(world.events, []);
    assert.deepEqual(world.calls, ['metric request-success-rate', 'hook gate']);
    for (const line of [
      '[dry-run] would create the missing primary objects of Deployment podinfo.test',
      '[dry-run] would call rollout webhook load',
      '[dry-run] would route 80% to primary, 20% to canary',
      '[dry-run] would update status: canaryWeight=20',
      'Advance podinfo.test canary weight 20',
    ])
      assert.ok(world.logs.includes(line), `${line}\n${world.logs.join('\n')}`);
  });

  it('logs metadata changes that would be made, and none that would not', async () => {
    const world = new World(canary(progressing(10)), split(10));
    const deps = dryRun(world.deps, loggerInto(world.logs));
    await addFinalizer(deps, world.stored);
    await deps.status.modifyMetadata(world.stored, withoutAnnotation(RESET_ANNOTATION));
    assert.deepEqual(world.logs, ['[dry-run] would add finalizer finalizer.flagger.app']);
    assert.equal(world.stored.metadata.finalizers, undefined);
  });
});

/** A debug logger that keeps each line's message. */
function loggerInto(lines: string[]): Logger {
  return createLogger({
    level: 'debug',
    destination: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push((JSON.parse(line) as { msg: string }).msg);
        done();
      },
    }),
  });
}
