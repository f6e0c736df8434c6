// Rows of the fault matrix for the notifiers, each pointed at its receiver by the AlertProvider's address (and, for
// Slack, a bot token) as a user writes it.
import assert from 'node:assert/strict';
import { NOTIFIER_TIMEOUT_MS } from '../../../src/notifiers/types.ts';
import type { BadRequest } from '../../harness/bad-server.ts';
import { expectAll, pathOf, SECRETS, type NotifierRow } from './rows.ts';

/** Every notifier POSTs JSON to one URL; the body's shape is the service's. */
function expectPost(
  requests: readonly BadRequest[],
  path: string,
  body: (json: Record<string, unknown>) => void,
  authorization?: string,
): void {
  expectAll(requests, request => {
    assert.equal(request.method, 'POST');
    assert.equal(request.path, path);
    assert.equal(request.query.size, 0);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.authorization, authorization);
    body(JSON.parse(request.body) as Record<string, unknown>);
  });
}

const slackShaped = (json: Record<string, unknown>) => {
  assert.deepEqual(
    [json.channel, json.username, Array.isArray(json.attachments)],
    ['general', 'flagger', true],
  );
};

const timeout = { timeoutMs: NOTIFIER_TIMEOUT_MS };

export const NOTIFIER_ROWS: readonly NotifierRow[] = [
  {
    type: 'slack',
    ...timeout,
    options: base => ({ address: base, token: SECRETS.token }),
    expect: (requests, base) => expectPost(requests, pathOf(base), slackShaped, `Bearer ${SECRETS.token}`),
  },
  {
    type: 'msteams',
    ...timeout,
    options: base => ({ address: base }),
    expect: (requests, base) =>
      expectPost(requests, pathOf(base), json => assert.equal(json['@type'], 'MessageCard')),
  },
  {
    type: 'discord',
    ...timeout,
    options: base => ({ address: base }),
    expect: (requests, base) => expectPost(requests, `${pathOf(base)}/slack`, slackShaped),
  },
  {
    type: 'rocket',
    ...timeout,
    options: base => ({ address: base }),
    expect: (requests, base) => expectPost(requests, pathOf(base), slackShaped),
  },
  {
    type: 'gchat',
    ...timeout,
    options: base => ({ address: base }),
    expect: (requests, base) =>
      expectPost(requests, pathOf(base), json => assert.ok(Array.isArray(json.cards))),
  },
];
