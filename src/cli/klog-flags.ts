// The flags klog v2.140.0 (Flagger 1.44's) registers with klog.InitFlags(nil): accepted with klog's syntax and
// errors, so that a command line Flagger runs with runs here and one it refuses is refused, and then ignored.
// None of them has an effect here: they steer klog's own output (files, headers, stderr thresholds), which
// Flagger already replaces with zap (klog.SetLogger), and the verbosity of client-go's klog messages (-v,
// -vmodule), which this controller does not have (its Kubernetes client does not log through klog).
import type { GoFlag } from '../util/go-flags.ts';
import { numErrorText, parseInt64 } from '../util/go-strconv.ts';

const NO_EFFECT = '\n(accepted as Flagger does; no effect here: this controller does not log through klog)';

/** klog's Level.Set: a decimal int32. */
function level(value: string): string | undefined {
  const n = parseInt64(value, 10, 32);
  return typeof n === 'string' ? numErrorText('ParseInt', value, n) : undefined;
}

/** klog's severityValue.Set: a severity name in any case, or a level as a decimal int32. */
function severity(value: string): string | undefined {
  return ['INFO', 'WARNING', 'ERROR', 'FATAL'].includes(value.toUpperCase()) ? undefined : level(value);
}

/** klog's moduleSpec.Set: comma-separated pattern=N, N a decimal int32 of at least 0; empty entries skipped. */
function moduleSpec(value: string): string | undefined {
  for (const entry of value.split(',').filter(Boolean)) {
    const parts = entry.split('=');
    const [pattern = '', n = ''] = parts;
    const parsed = parseInt64(n, 10, 32);
    if (parts.length !== 2 || pattern === '' || typeof parsed === 'string')
      return 'syntax error: expect comma-separated list of filename=N';
    if (parsed < 0n) return 'negative value for vmodule level';
  }
  return undefined;
}

/** klog's traceLocation.Set: empty, or file.go:N with N at least 1. */
function traceLocation(value: string): string | undefined {
  if (value === '') return undefined;
  const parts = value.split(':');
  const [file = '', line = ''] = parts;
  const n = parseInt64(line, 10);
  if (parts.length !== 2 || !file.includes('.') || typeof n === 'string')
    return 'syntax error: expect file.go:234';
  return n <= 0n ? 'negative or zero value for level' : undefined;
}

const NO_EFFECT_WHEN_TO_STDERR = '(no effect when -logtostderr=true)';

/** klog's flags with its usage texts (and ours, NO_EFFECT); zero defaults left out, as Go's usage omits them. */
export const KLOG_FLAGS: Readonly<Record<string, GoFlag>> = Object.fromEntries(
  Object.entries({
    log_dir: {
      kind: 'string',
      usage: `If non-empty, write log files in this directory ${NO_EFFECT_WHEN_TO_STDERR}`,
    },
    log_file: { kind: 'string', usage: `If non-empty, use this log file ${NO_EFFECT_WHEN_TO_STDERR}` },
    log_file_max_size: {
      kind: 'uint64',
      default: '1800',
      usage: `Defines the maximum size a log file can grow to ${NO_EFFECT_WHEN_TO_STDERR}. Unit is megabytes. If the value is 0, the maximum file size is unlimited.`,
    },
    logtostderr: { kind: 'bool', default: 'true', usage: 'log to standard error instead of files' },
    alsologtostderr: {
      kind: 'bool',
      usage: `log to standard error as well as files ${NO_EFFECT_WHEN_TO_STDERR}`,
    },
    legacy_stderr_threshold_behavior: {
      kind: 'bool',
      default: 'true',
      usage:
        'If true, stderrthreshold is ignored when logtostderr=true (legacy behavior). If false, stderrthreshold is honored even when logtostderr=true',
    },
    v: { kind: 'value', set: level, usage: 'number for the log level verbosity' },
    add_dir_header: {
      kind: 'bool',
      usage: 'If true, adds the file directory to the header of the log messages',
    },
    skip_headers: { kind: 'bool', usage: 'If true, avoid header prefixes in the log messages' },
    one_output: {
      kind: 'bool',
      usage:
        'If true, only write logs to their native severity level (vs also writing to each lower severity level; no effect when -logtostderr=true)',
    },
    skip_log_headers: {
      kind: 'bool',
      usage: `If true, avoid headers when opening log files ${NO_EFFECT_WHEN_TO_STDERR}`,
    },
    stderrthreshold: {
      kind: 'value',
      set: severity,
      // klog prints a severity as its number: 2 is ERROR.
      default: '2',
      usage:
        'logs at or above this threshold go to stderr when writing to files and stderr (no effect when -logtostderr=true or -alsologtostderr=true unless -legacy_stderr_threshold_behavior=false)',
    },
    alsologtostderrthreshold: {
      kind: 'value',
      set: severity,
      usage:
        'logs at or above this threshold go to stderr when -alsologtostderr=true (no effect when -logtostderr=true)',
    },
    vmodule: {
      kind: 'value',
      set: moduleSpec,
      usage: 'comma-separated list of pattern=N settings for file-filtered logging',
    },
    log_backtrace_at: {
      kind: 'value',
      set: traceLocation,
      usage: 'when logging hits line file:N, emit a stack trace',
    },
  } satisfies Record<string, GoFlag>).map(([name, flag]) => [
    name,
    { ...flag, usage: flag.usage + NO_EFFECT },
  ]),
);
