// The first steps of every payload endpoint: read the body, decode the payload (400), check the namespace
// against -namespace-regexp (403). On failure the answer is sent and undefined returned.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger.ts';
import type { NamespaceAuthorizer } from './authorizer.ts';
import { BodyTooLargeError, readBody, reply } from './http-io.ts';
import { parsePayload, PayloadError, type LoadTesterPayload } from './payload.ts';

export async function readPayload(
  req: IncomingMessage,
  res: ServerResponse,
  authorizer: NamespaceAuthorizer,
  logger: Logger,
): Promise<LoadTesterPayload | undefined> {
  let payload: LoadTesterPayload;
  try {
    payload = parsePayload(await readBody(req));
  } catch (err) {
    if (err instanceof BodyTooLargeError) {
      reply(res, 413, err.message);
      return undefined;
    }
    if (!(err instanceof PayloadError)) throw err;
    logger.error(err.message);
    reply(res, 400, err.message);
    return undefined;
  }
  if (!authorizer.authorize(payload.namespace)) {
    reply(res, 403, 'Forbidden');
    return undefined;
  }
  return payload;
}
