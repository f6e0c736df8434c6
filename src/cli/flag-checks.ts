// Start-up checks of the controller's flags: every bad value is named in one error before anything connects, where
// Flagger would fail later (a zap encoder it cannot build, an unknown provider it silently routes through Istio,
// quirk Q3) or never (a non-numeric port, a lease shorter than its renew deadline).
import { parseDuration } from '../api/duration.ts';
import { providerProblem } from '../api/providers.ts';
import { redactUrl } from '../util/redact.ts';
import { listFlag, type FlagName, type Flags } from './flags.ts';

const DURATIONS = [
  'control-loop-interval',
  'min-analysis-interval',
  'idle-resync-interval',
  'leader-election-lease-duration',
  'leader-election-renew-deadline',
  'leader-election-retry-period',
] as const satisfies readonly FlagName[];

const URLS = [
  'metrics-server',
  'event-webhook',
  'slack-url',
  'slack-proxy-url',
  'msteams-url',
  'msteams-proxy-url',
] as const satisfies readonly FlagName[];

/** A duration flag in milliseconds; flagProblems has already refused a bad one. */
export function durationFlag(flags: Flags, name: (typeof DURATIONS)[number]): number {
  return parseDuration(flags[name]) ?? 0;
}

/** What is wrong with the flags, one line per flag; empty when they are all usable. */
export function flagProblems(flags: Flags): string[] {
  const problems: string[] = [];
  const bad = (name: FlagName, why: string) =>
    problems.push(`-${name}=${JSON.stringify(flags[name])}: ${why}`);
  for (const name of DURATIONS) {
    const ms = parseDuration(flags[name]);
    if (ms === undefined || ms <= 0) bad(name, 'not a positive duration (e.g. 10s, 1m30s)');
  }
  for (const name of URLS) {
    if (flags[name] === '' || isHttpUrl(flags[name])) continue;
    // Never the value as given: URLs carry tokens, and the chat webhooks' is their path.
    const shown = redactUrl(flags[name], { keepPath: name !== 'slack-url' && name !== 'msteams-url' });
    problems.push(`-${name}=${JSON.stringify(shown)}: not an http(s) URL`);
  }
  problems.push(...numberProblems(flags));
  if (!['json', 'console'].includes(flags['zap-encoding'])) bad('zap-encoding', 'must be json or console');
  const provider = providerProblem(flags['mesh-provider']);
  if (provider !== undefined) bad('mesh-provider', provider);
  if (listFlag(flags['selector-labels']).length === 0) bad('selector-labels', 'needs at least one label');
  problems.push(...leaseProblems(flags));
  return problems;
}

function numberProblems(flags: Flags): string[] {
  const problems: string[] = [];
  const bad = (name: FlagName, why: string) =>
    problems.push(`-${name}=${JSON.stringify(flags[name])}: ${why}`);
  if (!/^\d+$/.test(flags.port) || Number(flags.port) > 65535)
    bad('port', 'not a TCP port (0-65535, 0 picks a free one)');
  if (!(flags['kubeconfig-qps'] > 0)) bad('kubeconfig-qps', 'must be greater than 0');
  if (!isCount(flags['kubeconfig-burst'])) bad('kubeconfig-burst', 'must be a whole number of at least 1');
  if (!isCount(flags.threadiness)) bad('threadiness', 'must be a whole number of at least 1');
  return problems;
}

/** client-go's own rules for leader election timings. */
function leaseProblems(flags: Flags): string[] {
  const lease = parseDuration(flags['leader-election-lease-duration']) ?? 0;
  const renew = parseDuration(flags['leader-election-renew-deadline']) ?? 0;
  const retry = parseDuration(flags['leader-election-retry-period']) ?? 0;
  if (lease === 0 || renew === 0 || retry === 0) return [];
  const problems: string[] = [];
  if (lease <= renew)
    problems.push('-leader-election-lease-duration must be longer than -leader-election-renew-deadline');
  if (renew <= retry * 1.2)
    problems.push('-leader-election-renew-deadline must be longer than 1.2 x -leader-election-retry-period');
  return problems;
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isCount(value: number): boolean {
  return Number.isInteger(value) && value >= 1;
}
