import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionAffinity } from '../api/canary.ts';
import {
  cookieMatch,
  expiredCookieValue,
  nextCookies,
  randomCookieValue,
  setCookieValue,
} from './session-affinity.ts';

const affinity: SessionAffinity = { cookieName: 'flagger-cookie' };
const fixed = () => 'AbCdEfGhIj';

describe('session affinity cookies', () => {
  it('generates a canary cookie for the first split that gives the canary traffic', () => {
    assert.deepEqual(nextCookies(affinity, undefined, 10, fixed), {
      sessionAffinityCookie: 'flagger-cookie=AbCdEfGhIj',
      primarySessionAffinityCookie: '',
      previousSessionAffinityCookie: '',
    });
  });

  it('keeps the cookies of the running analysis', () => {
    const status = {
      sessionAffinityCookie: 'flagger-cookie=keepMeNow1',
      primarySessionAffinityCookie: 'primary=keepMeToo2',
      previousSessionAffinityCookie: 'flagger-cookie=olderOne33',
    };
    assert.deepEqual(nextCookies({ ...affinity, primaryCookieName: 'primary' }, status, 50, fixed), status);
  });

  it('generates the primary cookie when primaryCookieName is set', () => {
    const cookies = nextCookies({ ...affinity, primaryCookieName: 'primary' }, {}, 10, fixed);
    assert.equal(cookies.primarySessionAffinityCookie, 'primary=AbCdEfGhIj');
  });

  it('replaces a cookie named after a former cookieName', () => {
    const cookies = nextCookies(affinity, { sessionAffinityCookie: 'old-name=zzzzzzzzzz' }, 10, fixed);
    assert.equal(cookies.sessionAffinityCookie, 'flagger-cookie=AbCdEfGhIj');
  });

  it('moves the canary cookie to previous when the canary weight drops to 0', () => {
    const status = {
      sessionAffinityCookie: 'flagger-cookie=current123',
      primarySessionAffinityCookie: 'p=x',
    };
    assert.deepEqual(nextCookies(affinity, status, 0, fixed), {
      sessionAffinityCookie: '',
      primarySessionAffinityCookie: '',
      previousSessionAffinityCookie: 'flagger-cookie=current123',
    });
    const again = nextCookies(
      affinity,
      { previousSessionAffinityCookie: 'flagger-cookie=current123' },
      0,
      fixed,
    );
    assert.equal(again.previousSessionAffinityCookie, 'flagger-cookie=current123');
  });

  it('writes Set-Cookie values with Max-Age first, then the attributes in order', () => {
    assert.equal(setCookieValue(affinity, 'c=v'), 'c=v; Max-Age=86400');
    const full: SessionAffinity = {
      cookieName: 'c',
      maxAge: 300,
      domain: 'flagger.app',
      httpOnly: true,
      partitioned: true,
      path: '/app',
      sameSite: 'Strict',
      secure: true,
    };
    assert.equal(
      setCookieValue(full, 'c=v'),
      'c=v; Max-Age=300; Domain=flagger.app; HttpOnly; Partitioned; Path=/app; SameSite=Strict; Secure',
    );
    assert.equal(
      setCookieValue(full, 'p=v', 60),
      'p=v; Max-Age=60; Domain=flagger.app; HttpOnly; Partitioned; Path=/app; SameSite=Strict; Secure',
    );
    assert.equal(expiredCookieValue('c=v'), 'c=v; Max-Age=-1');
  });

  it('matches requests carrying the cookie', () => {
    assert.deepEqual(cookieMatch('flagger-cookie=AbCdEfGhIj'), {
      headers: { Cookie: { regex: '.*flagger-cookie.*AbCdEfGhIj.*' } },
    });
  });

  it('makes 10-letter values', () => {
    assert.match(randomCookieValue(), /^[a-zA-Z]{10}$/);
  });
});
