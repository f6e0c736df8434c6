// -zap-encoding=console: zap's console layout (tab-separated time, level, message, then the other fields as
// JSON) made from the JSON lines the logger writes. json (the default) passes lines through unchanged.
import { Writable } from 'node:stream';

/** A stream for the logger that rewrites each JSON line in the console layout before writing it to `out`. */
export function consoleEncoder(out: NodeJS.WritableStream): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') out.write(`${consoleLine(line)}\n`);
      done();
    },
  });
}

/** One JSON log line in the console layout; a line that is not JSON is kept as it is. */
export function consoleLine(json: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(json);
  } catch {
    return json;
  }
  if (typeof entry !== 'object' || entry === null) return json;
  const { ts, level, msg, ...fields } = entry as Record<string, unknown>;
  const columns = [text(ts), text(level), text(msg)];
  if (Object.keys(fields).length > 0) columns.push(JSON.stringify(fields));
  return columns.join('\t');
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
