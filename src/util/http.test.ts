import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Response } from 'undici';
import { excerpt, MAX_QUOTED_CHARS, readBody, ResponseTooLargeError } from './http.ts';

/** A body without end that counts what was pulled from it and whether it was cancelled. */
function endless(): { response: Response; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 1024;
      controller.enqueue(new Uint8Array(1024).fill(120));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { response: new Response(stream), pulled: () => pulled, cancelled: () => cancelled };
}

describe('readBody', () => {
  it('reads a body up to the limit as UTF-8 text', async () => {
    assert.equal(await readBody(new Response('héllo'), 6), 'héllo');
    assert.equal(await readBody(new Response(null)), '');
  });

  it('stops an endless body at the limit and cancels it', async () => {
    const body = endless();
    await assert.rejects(readBody(body.response, 10 * 1024), new ResponseTooLargeError(10 * 1024));
    assert.ok(body.pulled() <= 12 * 1024, `${String(body.pulled())} bytes pulled`);
    assert.ok(body.cancelled());
  });

  it('refuses an announced length beyond the limit without reading', async () => {
    const body = endless();
    const response = new Response(body.response.body, { headers: { 'content-length': '2097152' } });
    await assert.rejects(
      readBody(response, 1024 * 1024),
      /^ResponseTooLargeError: response body larger than 1 MiB$/,
    );
    assert.ok(body.cancelled());
  });
});

describe('excerpt', () => {
  it('keeps short texts and cuts long ones, saying how much is left out', () => {
    assert.equal(excerpt('short'), 'short');
    const long = 'x'.repeat(MAX_QUOTED_CHARS + 10);
    assert.equal(excerpt(long), `${'x'.repeat(MAX_QUOTED_CHARS)}... (10 more characters)`);
  });
});
