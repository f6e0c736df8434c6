// The phases by what a tick does in them.

/** A release is under way: each tick takes its next step, so only the interval (or a control request) runs one. */
export const ANALYSING_PHASES: ReadonlySet<string> = new Set([
  'Progressing',
  'Waiting',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
]);

/**
 * Nothing to do until the target, a tracked config or the canary changes, which watches report: a tick in these
 * phases only checks for a new revision and keeps the generated objects as they should be.
 */
export const IDLE_PHASES: ReadonlySet<string> = new Set(['Initialized', 'Succeeded', 'Failed']);
