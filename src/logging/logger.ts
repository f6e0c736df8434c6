// Logging: JSON lines on stderr with the keys Flagger's zap logger writes (level, ts, msg), so log pipelines and
// greps written for Flagger keep working. Child loggers carry bindings such as { canary: "name.namespace" }.
import { pino, type Logger } from 'pino';
import { consoleEncoder } from './console-encoding.ts';

export type { Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stderr by default, as Flagger does. */
  destination?: NodeJS.WritableStream;
  /** -zap-encoding: json (default) or console, tab-separated lines for humans as zap's console encoder writes. */
  encoding?: string;
}

/**
 * Flagger accepts debug, info, warn, error, fatal and panic for -log-level and treats anything else as info
 * (quirk Q22: its help text says "warning", which it does not recognise). We accept "warning" too.
 */
export function parseLogLevel(value: string | undefined): LogLevel {
  switch (value) {
    case 'debug':
    case 'info':
    case 'warn':
    case 'error':
    case 'fatal':
      return value;
    case 'warning':
      return 'warn';
    case 'panic':
      return 'fatal';
    default:
      return 'info';
  }
}

/** Creates the process's root logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: parseLogLevel(options.level ?? 'info'),
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: label => ({ level: label }) },
    },
    options.encoding === 'console'
      ? consoleEncoder(options.destination ?? process.stderr)
      : (options.destination ?? pino.destination(2)),
  );
}

/** A logger that discards everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
