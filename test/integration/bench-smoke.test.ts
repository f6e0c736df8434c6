// The benchmark harness still works: the cost benchmark at its smallest scale, run as `npm run bench` runs it,
// prints a result row whose measurements are numbers. Figures are not checked: this machine's are not a benchmark.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const RUN = new URL('../../bench/run.ts', import.meta.url).pathname;

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', code => resolve({ code, stdout, stderr }));
  });
}

const cells = (line: string) =>
  line
    .slice(1, -1)
    .split(' | ')
    .map(cell => cell.trim());

describe('bench/ harness', () => {
  it('measures 3 idle canaries and prints a markdown row of numbers', { timeout: 300_000 }, async () => {
    const run = await runBench(['cost', '--canaries', '3', '--interval', '2s', '--idle-seconds', '5']);
    assert.equal(run.code, 0, run.stderr);
    const [header, , row] = run.stdout.trim().split('\n');
    assert.ok(header !== undefined && row !== undefined, run.stdout);
    const result = new Map(cells(header).map((name, i) => [name, cells(row)[i] ?? '']));
    assert.equal(result.get('canaries'), '3');
    assert.match(result.get('commit') ?? '', /\S/);
    assert.match(result.get('machine') ?? '', /^\d+ cores, [\d.]+ GiB/);
    for (const column of ['init s', 'RSS MB', 'idle CPU s/min', 'idle req/canary/min']) {
      const value = Number(result.get(column));
      assert.ok(Number.isFinite(value) && value >= 0, `${column}: ${result.get(column) ?? 'missing'}`);
    }
    assert.ok(Number(result.get('RSS MB')) > 0);
    // Idle canaries are not polled: the API server may have seen no request at all in the window.
    assert.match(result.get('apiserver idle req/canary/min (all clients)') ?? '', /^(0|[A-Z]+ [\d.e+-]+.*)$/);
  });
});
