// A log destination for tests: each JSON line the logger writes, parsed and kept in `lines`.
import { Writable } from 'node:stream';

export function jsonLogSink(lines: Record<string, unknown>[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
}
