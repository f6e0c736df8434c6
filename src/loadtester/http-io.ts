// Reading request bodies and writing answers the way Flagger's handlers do (plain text, status first).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies are webhook payloads of a few hundred bytes; anything past this is refused (413). */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** The request body as text; rejects with BodyTooLargeError past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(`request body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A handler's answer when it only has to answer. */
export function answer(res: ServerResponse, status: number, body = ''): Promise<void> {
  reply(res, status, body);
  return Promise.resolve();
}

/** Answers with `status` and an optional text body. */
export function reply(res: ServerResponse, status: number, body = ''): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body) };
  if (body !== '') headers['Content-Type'] = 'text/plain; charset=utf-8';
  res.writeHead(status, headers).end(body);
}
