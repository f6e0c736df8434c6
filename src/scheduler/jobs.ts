// One job per canary: a tick runs at once when the job starts, then once per analysis interval, timed from the
// end of the previous tick so that a canary's ticks never overlap (Flagger gets this from one goroutine per
// canary; an async setInterval would not guarantee it). A nudge runs the next tick now: how a watched change
// to a target, config or canary is acted on within a second instead of at the next interval.

export type RunTick = (key: string) => Promise<void>;

interface Job {
  intervalMs: number;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  /** A nudge arrived during a tick: run again right after it. */
  again: boolean;
  removed: boolean;
}

export class CanaryJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly run: RunTick;

  constructor(run: RunTick) {
    this.run = run;
  }

  /** Starts a job for the key, or restarts it when its interval changed; an unchanged job is left alone. */
  ensure(key: string, intervalMs: number): void {
    const existing = this.jobs.get(key);
    if (existing && existing.intervalMs === intervalMs) return;
    if (existing) this.remove(key);
    const job: Job = { intervalMs, timer: undefined, running: undefined, again: false, removed: false };
    this.jobs.set(key, job);
    // A tick of the replaced job may still be running: the new job starts after it, never beside it (a nudge
    // meanwhile waits as for any running tick).
    const previous = existing?.running;
    if (previous === undefined) {
      this.start(key, job);
      return;
    }
    job.running = previous.finally(() => {
      job.running = undefined;
      job.again = false;
      if (!job.removed) this.start(key, job);
    });
  }

  /** Runs the key's next tick now (after the current one, if a tick is running). */
  nudge(key: string): void {
    const job = this.jobs.get(key);
    if (!job) return;
    if (job.running) {
      job.again = true;
      return;
    }
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

  private start(key: string, job: Job): void {
    job.running = this.run(key)
      .catch(() => undefined)
      .finally(() => {
        job.running = undefined;
        if (job.removed) return;
        if (job.again) {
          job.again = false;
          this.start(key, job);
          return;
        }
        job.timer = setTimeout(() => this.start(key, job), job.intervalMs);
      });
  }
}
