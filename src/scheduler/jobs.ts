// One job per canary: a tick runs at once when the job starts, then once per analysis interval, timed from the
// start of the previous tick as Flagger's ticker is (a slow tick does not push the next ones back; a tick longer
// than the interval skips the beats it overran). A canary's ticks never overlap (Flagger gets this from one
// goroutine per canary; an async setInterval would not guarantee it).
//
// A nudge (a watched change to a target, config, generated object or the canary) runs the next tick now, so the
// change is acted on within a second instead of at the next interval; but not during an analysis, whose steps
// only the interval takes. A tick that ends idle (nothing to do until something changes) is followed by a slow
// resync only, not by one tick per interval: Flagger polls every idle canary each interval, which costs about ten
// API requests per canary and interval for nothing.

/**
 * How a tick ended. 'idle': wait for a nudge or the resync. 'retry': tick again after the interval, or at a
 * nudge (initialising, or a failure). 'analysing': tick again after the interval only.
 */
export type TickEnd = 'idle' | 'retry' | 'analysing';

/**
 * Runs one tick. `requestOnly`: the tick re-runs for a control request that came during the previous tick, which
 * may already have acted on it; during an analysis it must then do nothing, or it would take an extra step.
 */
export type RunTick = (key: string, requestOnly: boolean) => Promise<TickEnd>;

export interface JobsOptions {
  /** Longest wait between two ticks of an idle canary: the safety net for changes no watch reports. */
  idleResyncMs: number;
  /**
   * Most ticks running at once (default 64); the others wait for a slot, in order. A tick holds its canary,
   * target, primary and Services: a thousand canaries created together would otherwise hold them all at once,
   * and the process keeps that peak of memory.
   */
  maxTicksInFlight?: number;
}

/** At most `size` pieces of work at once; the others wait in order of arrival. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>(resolve => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

interface Job {
  intervalMs: number;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  /** How the last tick ended; undefined before the first one. */
  lastEnd: TickEnd | undefined;
  /** What arrived during a tick, to run again right after it. */
  again: 'nudge' | 'request' | undefined;
  removed: boolean;
}

export class CanaryJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly run: RunTick;
  private readonly options: JobsOptions;
  private readonly slots: Slots;

  constructor(run: RunTick, options: JobsOptions) {
    this.run = run;
    this.options = options;
    this.slots = new Slots(options.maxTicksInFlight ?? 64);
  }

  /**
   * Starts a job for the key, or restarts it when its interval changed; an unchanged job is left alone.
   * Returns whether a tick was started (or queued behind the running one).
   */
  ensure(key: string, intervalMs: number): boolean {
    const existing = this.jobs.get(key);
    if (existing && existing.intervalMs === intervalMs) return false;
    if (existing) this.remove(key);
    const job: Job = {
      intervalMs,
      timer: undefined,
      running: undefined,
      lastEnd: undefined,
      again: undefined,
      removed: false,
    };
    this.jobs.set(key, job);
    // A tick of the replaced job may still be running: the new job starts after it, never beside it (a nudge
    // meanwhile waits as for any running tick).
    const previous = existing?.running;
    if (previous === undefined) {
      this.start(key, job);
      return true;
    }
    job.running = previous.finally(() => {
      job.running = undefined;
      job.again = undefined;
      if (!job.removed) this.start(key, job);
    });
    return true;
  }

  /**
   * Something the canary depends on changed: runs its next tick now (or right after the running one), unless
   * an analysis is under way, whose next tick comes at the interval and sees the change then.
   */
  nudge(key: string): void {
    this.wake(key, 'nudge');
  }

  /**
   * A user's request (a control annotation): runs the next tick now, whatever the phase; during a tick, a tick
   * right after it that acts only if the request is still pending.
   */
  request(key: string): void {
    this.wake(key, 'request');
  }

  private wake(key: string, why: 'nudge' | 'request'): void {
    const job = this.jobs.get(key);
    if (!job) return;
    if (job.running) {
      if (job.again !== 'request') job.again = why;
      return;
    }
    if (why === 'nudge' && job.lastEnd === 'analysing') return;
    clearTimeout(job.timer);
    this.start(key, job);
  }

  remove(key: string): void {
    const job = this.jobs.get(key);
    if (!job) return;
    job.removed = true;
    clearTimeout(job.timer);
    this.jobs.delete(key);
  }

  has(key: string): boolean {
    return this.jobs.has(key);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Stops every job and waits for the ticks that are running. */
  async stop(): Promise<void> {
    const running = [...this.jobs.values()].flatMap(job => (job.running ? [job.running] : []));
    for (const key of [...this.jobs.keys()]) this.remove(key);
    await Promise.all(running);
  }

  private start(key: string, job: Job, requestOnly = false): void {
    const started = Date.now();
    // A job removed while its tick waited for a slot does not tick.
    job.running = this.slots
      .run(() => (job.removed ? Promise.resolve<TickEnd>('retry') : this.run(key, requestOnly)))
      .catch((): TickEnd => 'retry')
      .then(end => {
        job.running = undefined;
        job.lastEnd = end;
        if (job.removed) return;
        const again = job.again;
        job.again = undefined;
        // After an analysing tick a nudge that came meanwhile is left to the interval: the tick may have taken a
        // step, and a second tick now would take the next one early. A request is re-run, acting only if pending.
        if (again === 'request' || (again === 'nudge' && end !== 'analysing')) {
          this.start(key, job, again === 'request');
          return;
        }
        job.timer = setTimeout(() => this.start(key, job), this.delay(job, end, Date.now() - started));
      });
  }

  private delay(job: Job, end: TickEnd, elapsedMs: number): number {
    // Spread over half a period more, so that canaries created together do not resync together.
    if (end === 'idle') return Math.max(job.intervalMs, this.options.idleResyncMs * (1 + Math.random() / 2));
    return job.intervalMs - (elapsedMs % job.intervalMs);
  }
}
