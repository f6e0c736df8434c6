// A node:test reporter that fails the run (exit code 1) for what node:test lets pass: a describe() whose body
// throws and a suite whose after() hook fails, which Node 22 reports but exits 0 for (nodejs/node#58687); a
// skipped or todo test; and a test file that runs no test. A missing fixture or privilege must fail CI, never
// pass quietly. It writes only those problems, next to the spec reporter (scripts/test.sh, npm run test:*).
import type { TestEvent } from 'node:test/reporters';

/** A name pattern or .only leaves some files without a test on purpose. */
const FILTERED = process.execArgv.some(arg => /^--test-(name-pattern|skip-pattern|only)\b/.test(arg));

export default async function* strictReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const problems: string[] = [];
  for await (const { type, data } of source) {
    if (type === 'test:fail' && data.details.type === 'suite' && !failedForATest(data.details.error)) {
      problems.push(`${data.file ?? ''}: suite "${data.name}" failed: its body or one of its hooks threw`);
    } else if (type === 'test:pass' && (data.skip !== undefined || data.todo !== undefined)) {
      const why = data.skip ?? data.todo;
      const reason = typeof why === 'string' ? `: ${why}` : '';
      problems.push(
        `${data.file ?? ''}: "${data.name}" ${data.skip === undefined ? 'is todo' : 'skipped'}${reason}`,
      );
    } else if (type === 'test:summary' && data.file !== undefined && data.counts.tests === 0 && !FILTERED) {
      problems.push(`${data.file}: no test ran`);
    }
  }
  if (problems.length === 0) return;
  process.exitCode = 1;
  yield `\nThe run fails for what node:test would let pass:\n${problems.map(line => `  ${line}\n`).join('')}`;
}

/** A suite that failed because one of its tests did: that test's failure already fails the run. */
function failedForATest(error: Error): boolean {
  return (error as { failureType?: unknown }).failureType === 'subtestsFailed';
}
