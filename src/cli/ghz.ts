// The `ghz` binary of the load tester image (see src/loadtester/grpc/ghz.ts). Ctrl-C or SIGTERM ends the load
// and still prints the report, as ghz does on an interrupt.
import { runGhz } from '../loadtester/grpc/ghz.ts';

const interrupted = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupted.abort());

process.exitCode = await runGhz(
  process.argv.slice(2),
  { stdout: text => process.stdout.write(text), stderr: text => process.stderr.write(text) },
  interrupted.signal,
);
