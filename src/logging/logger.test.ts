import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { consoleLine } from './console-encoding.ts';
import { createLogger, parseLogLevel } from './logger.ts';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it("writes JSON lines with Flagger's keys", () => {
    const { lines, stream } = capture();
    createLogger({ level: 'info', destination: stream }).child({ canary: 'podinfo.test' }).info('Advance');
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    assert.deepEqual(Object.keys(line), ['level', 'ts', 'canary', 'msg']);
    assert.deepEqual([line.level, line.canary, line.msg], ['info', 'podinfo.test', 'Advance']);
  });

  it('writes tab-separated lines for humans with -zap-encoding=console', async () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'debug', destination: stream, encoding: 'console' });
    logger.child({ canary: 'podinfo.test' }).warn('Halt advancement');
    logger.debug('plain');
    await new Promise(resolve => setImmediate(resolve));
    assert.match(
      lines[0] ?? '',
      /^\d{4}-\d\d-\d\dT[\d:.]+Z\twarn\tHalt advancement\t\{"canary":"podinfo.test"\}$/,
    );
    assert.match(lines[1] ?? '', /^\S+\tdebug\tplain$/);
  });

  it("lays lines out like zap's console encoder", () => {
    assert.equal(
      consoleLine(
        '{"level":"info","ts":"2024-01-01T00:00:00.000Z","canary":"podinfo.test","msg":"command finished"}',
      ),
      '2024-01-01T00:00:00.000Z\tinfo\tcommand finished\t{"canary":"podinfo.test"}',
    );
    assert.equal(consoleLine('not json'), 'not json');
  });

  it('reads the levels Flagger accepts, and "warning"', () => {
    assert.deepEqual(['debug', 'warning', 'panic', 'bogus'].map(parseLogLevel), [
      'debug',
      'warn',
      'fatal',
      'info',
    ]);
  });
});
