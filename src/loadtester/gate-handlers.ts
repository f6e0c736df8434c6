// /gate/{approve,halt,check,open,close} and /rollback/{check,open,close}: Flagger's answers are 200 "Approved"
// or 403 "Forbidden" for checks, 202 for open and close, 200 "OK" for approve and 403 "Forbidden" for halt.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger.ts';
import type { NamespaceAuthorizer } from './authorizer.ts';
import { gateKey, type GateKind, type Gates } from './gates.ts';
import { errorMessage } from './http-json.ts';
import { answer, reply } from './http-io.ts';
import { readPayload } from './request-payload.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface GateDeps {
  gates: Gates;
  authorizer: NamespaceAuthorizer;
  logger: Logger;
}

type Action = 'check' | 'open' | 'close';

export function gateHandlers(deps: GateDeps): Record<string, Handler> {
  const handlers: Record<string, Handler> = {
    '/gate/approve': (_req, res) => answer(res, 200, 'OK'),
    '/gate/halt': (_req, res) => answer(res, 403, 'Forbidden'),
  };
  for (const kind of ['gate', 'rollback'] as const)
    for (const action of ['check', 'open', 'close'] as const)
      handlers[`/${kind}/${action}`] = gateHandler(kind, action, deps);
  return handlers;
}

function gateHandler(kind: GateKind, action: Action, deps: GateDeps): Handler {
  return async (req, res) => {
    const payload = await readPayload(req, res, deps.authorizer, deps.logger);
    if (!payload) return;
    const key = gateKey(kind, payload.name, payload.namespace);
    try {
      if (action === 'check') {
        const approved = await deps.gates.isOpen(key);
        reply(res, approved ? 200 : 403, approved ? 'Approved' : 'Forbidden');
        deps.logger.info(`${key} ${kind} check: approved ${approved}`);
        return;
      }
      await (action === 'open' ? deps.gates.open(key) : deps.gates.close(key));
      reply(res, 202);
      deps.logger.info(`${key} ${kind} ${action === 'open' ? 'opened' : 'closed'}`);
    } catch (err) {
      // The store could not be read or written (file system, API server): the gate's state is unknown.
      deps.logger.error(`${key} ${kind} ${action} failed: ${errorMessage(err)}`);
      reply(res, 500, `${kind} ${action} failed: ${errorMessage(err)}`);
    }
  };
}
