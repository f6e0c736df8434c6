// Extension: the reasons behind a decision, read from the decision record (status.metricChecks), for the event
// that follows Flagger's own rollback event.
import type { CanaryStatus, CheckVerdict } from '../api/canary.ts';

const OUTCOMES: Record<Exclude<CheckVerdict, 'Passed'>, string> = {
  Failed: 'failed',
  NoValues: 'returned no values',
  Error: 'could not run',
  Inconclusive: 'was inconclusive',
};

/**
 * The failed metric checks of the current run, each distinct failure once with how often it happened, e.g.
 * "request-success-rate (prometheus) failed 2 times: Halt podinfo.test advancement success rate 50.00% < 99%";
 * undefined when the record holds no failure (the checks that failed were webhooks).
 */
export function failedChecksSummary(status: CanaryStatus | undefined): string | undefined {
  const counts = new Map<string, number>();
  for (const check of status?.metricChecks ?? []) {
    if (check.verdict === 'Passed') continue;
    const key = `${check.metric} (${check.provider}) ${OUTCOMES[check.verdict]}|${check.message ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  return [...counts]
    .map(([key, count]) => {
      const [what = '', message = ''] = key.split('|');
      return `${what}${count > 1 ? ` ${count} times` : ''}: ${message}`;
    })
    .join('; ');
}
