// The `grpc_health_probe` binary of the load tester image (see src/loadtester/grpc/health-probe.ts).
import { runHealthProbe } from '../loadtester/grpc/health-probe.ts';

process.exitCode = await runHealthProbe(process.argv.slice(2), {
  log: line => process.stderr.write(`${line}\n`),
  print: text => process.stdout.write(text),
});
