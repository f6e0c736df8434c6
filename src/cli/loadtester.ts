// The `flagger-loadtester` binary.
import { VERSION } from '../version.ts';

const [command] = process.argv.slice(2);
if (command === '-version' || command === '--version' || command === 'version') {
  process.stdout.write(`${VERSION}\n`);
} else {
  process.stderr.write('flagger-loadtester: not available in this version yet\n');
  process.exitCode = 2;
}
