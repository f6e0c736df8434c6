// Runs one child process without a shell, capturing stdout and stderr together (like Go's CombinedOutput) with a
// bound on what is kept. The child gets its own process group so that aborting (timeout, client gone, shutdown)
// kills everything it started: Flagger kills only the direct child, which leaves `hey` running when `sh -c`
// forked it.
import { spawn } from 'node:child_process';
import { formatDuration } from '../api/duration.ts';
import { BoundedOutput, MAX_OUTPUT_BYTES } from './output.ts';

export interface RunOptions {
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  maxOutputBytes?: number;
}

export interface ProcessResult {
  ok: boolean;
  /** stdout and stderr interleaved as written, bounded. */
  output: string;
  /** Why it failed, in Go's words: `exit status 1`, `signal: killed`, `exec: "x": executable file not found`. */
  error?: string;
}

/** Runs `file` with `args` until it exits or `options.signal` aborts it. Never rejects. */
export function runProcess(
  file: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProcessResult> {
  const output = new BoundedOutput(options.maxOutputBytes ?? MAX_OUTPUT_BYTES);
  return new Promise(resolve => {
    if (options.signal.aborted) {
      resolve({ ok: false, output: '', error: `not started: ${abortReason(options.signal)}` });
      return;
    }
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let settled = false;
    const finish = (result: ProcessResult) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', kill);
      resolve(result);
    };
    const kill = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    options.signal.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (chunk: Buffer) => output.append(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.append(chunk));
    child.once('error', (err: NodeJS.ErrnoException) => {
      const error =
        err.code === 'ENOENT'
          ? `exec: "${file}": executable file not found in $PATH`
          : `exec: ${err.message}`;
      finish({ ok: false, output: output.text(), error });
    });
    child.once('close', (code, signal) => {
      if (code === 0) {
        finish({ ok: true, output: output.text() });
        return;
      }
      let error = signal ? `signal: ${signalName(signal)}` : `exit status ${code ?? -1}`;
      if (options.signal.aborted) error += ` (${abortReason(options.signal)})`;
      finish({ ok: false, output: output.text(), error });
    });
  });
}

/** Go prints SIGKILL as "killed", SIGTERM as "terminated". */
function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGTERM: 'terminated',
    SIGINT: 'interrupt',
    SIGSEGV: 'segmentation fault',
  };
  return names[signal] ?? signal;
}

/** Why a signal was aborted, for messages: the reason's message, or "aborted". */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Deadline {
  /** Aborts after the time given, with a readable reason ("timed out after 1h0m0s"). */
  signal: AbortSignal;
  /** Clears the timer once the work is done, so that finished tasks hold no timer for the rest of -timeout. */
  clear(): void;
}

export function deadline(ms: number): Deadline {
  const controller = new AbortController();
  // Node's timers overflow past 2^31-1 ms (about 24.8 days) and would fire at once: such a deadline never comes.
  if (ms > MAX_TIMER_MS) return { signal: controller.signal, clear: () => undefined };
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${formatDuration(ms)}`)), ms);
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
