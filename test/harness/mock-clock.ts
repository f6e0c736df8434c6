// A mocked clock for unit tests of code that waits: node:test's mock timers (the global setTimeout and Date) in
// place of real time, so that no assertion depends on how fast the machine is. node:timers/promises is not
// mocked for ES modules: code that sleeps takes the clock's sleep.
import { afterEach, beforeEach, mock } from 'node:test';

export interface MockClock {
  /** Date.now(), mocked: 0 when each test starts. */
  now(): number;
  /** Resolves once the mocked clock has moved `ms` on. */
  sleep(ms: number): Promise<void>;
  /** Lets every promise that can settle now settle (setImmediate is left real for this). */
  settle(): Promise<void>;
  /**
   * Settles, then moves the clock `ms` on, a millisecond at a time, settling after each step: work that a timer
   * starts runs (and sets its next timer) before a later timer fires, as it would in real time.
   */
  advance(ms: number): Promise<void>;
}

/** Mocks the timers and Date around each test of the calling file or suite. */
export function useMockClock(): MockClock {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
  afterEach(() => mock.timers.reset());
  const settle = () => new Promise<void>(resolve => setImmediate(resolve));
  return {
    now: () => Date.now(),
    sleep: ms => new Promise<void>(resolve => setTimeout(resolve, ms)),
    settle,
    advance: async ms => {
      await settle();
      for (let step = 0; step < ms; step++) {
        mock.timers.tick(1);
        await settle();
      }
    },
  };
}
