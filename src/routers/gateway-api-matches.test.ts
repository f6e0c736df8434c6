import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_MATCH,
  cookieRouteMatch,
  isCookieMatch,
  mergeMatches,
  routeMatches,
} from './gateway-api-matches.ts';

describe('routeMatches', () => {
  it('maps uri, method, headers and query parameters', () => {
    assert.deepEqual(
      routeMatches([
        {
          uri: { prefix: '/api' },
          method: { exact: 'GET' },
          headers: { 'x-b': { regex: '^b.*' }, 'x-a': { exact: 'a' } },
          queryParams: { debug: { exact: 'true' } },
        },
      ]),
      [
        {
          path: { type: 'PathPrefix', value: '/api' },
          method: 'GET',
          headers: [
            { type: 'Exact', name: 'x-a', value: 'a' },
            { type: 'RegularExpression', name: 'x-b', value: '^b.*' },
          ],
          queryParams: [{ type: 'Exact', name: 'debug', value: 'true' }],
        },
      ],
    );
  });

  it('prefers regex, then exact, then prefix for the path, as Flagger', () => {
    assert.deepEqual(routeMatches([{ uri: { exact: '/a', regex: '/a.*' } }]), [
      { path: { type: 'RegularExpression', value: '/a.*' } },
    ]);
    assert.deepEqual(routeMatches([{ uri: { exact: '/a', prefix: '/' } }]), [
      { path: { type: 'Exact', value: '/a' } },
    ]);
  });

  it('drops entries with nothing Gateway API can express', () => {
    assert.deepEqual(routeMatches([{}, { uri: { exact: '/x' } }]), [
      { path: { type: 'Exact', value: '/x' } },
    ]);
    assert.deepEqual(routeMatches(undefined), []);
  });

  it('rejects selectors Gateway API cannot express', () => {
    assert.throws(
      () => routeMatches([{ uri: {} }]),
      /doesn't support the specified path matching selector: \{\}/,
    );
    assert.throws(() => routeMatches([{ method: { prefix: 'G' } }]), /specified method matching selector/);
    assert.throws(
      () => routeMatches([{ headers: { 'user-agent': { suffix: 'Firefox' } } }]),
      /specified header matching selector: \{"user-agent":\{"suffix":"Firefox"\}\}/,
    );
    assert.throws(() => routeMatches([{ queryParams: { q: { prefix: 'a' } } }]), /query matching selector/);
  });
});

describe('mergeMatches', () => {
  const header = (value: string) => ({ headers: [{ type: 'Exact' as const, name: 'x-canary', value }] });

  it('puts the analysis headers and query parameters on each service match', () => {
    const service = [
      { path: { type: 'PathPrefix' as const, value: '/api' }, headers: header('old').headers },
    ];
    assert.deepEqual(mergeMatches([header('a'), header('b')], service), [
      { path: { type: 'PathPrefix', value: '/api' }, ...header('a') },
      { path: { type: 'PathPrefix', value: '/api' }, ...header('b') },
    ]);
  });

  it('returns either list alone when the other is empty', () => {
    assert.deepEqual(mergeMatches([], [DEFAULT_MATCH]), [DEFAULT_MATCH]);
    assert.deepEqual(mergeMatches([header('a')], []), [header('a')]);
  });
});

describe('cookie matches', () => {
  it("matches the cookie with the Istio router's regex and is recognised by cookie name", () => {
    const match = cookieRouteMatch('flagger-cookie=abcdefghij');
    assert.deepEqual(match, {
      headers: [{ type: 'RegularExpression', name: 'Cookie', value: '.*flagger-cookie.*abcdefghij.*' }],
    });
    assert.equal(isCookieMatch(match, ['flagger-cookie']), true);
    assert.equal(isCookieMatch(match, ['other', '']), false);
    assert.equal(isCookieMatch(DEFAULT_MATCH, ['flagger-cookie']), false);
  });
});
