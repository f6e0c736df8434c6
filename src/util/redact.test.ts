import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl, redactUrls } from './redact.ts';

describe('redactUrl', () => {
  it('drops user info, hides query values and the fragment, keeps scheme, host and path', () => {
    assert.equal(
      redactUrl('http://user:pass@hooks.test:8080/hook/run?token=s3cret&mode=full#frag'),
      'http://hooks.test:8080/hook/run?token=xxxxx&mode=xxxxx',
    );
    assert.equal(redactUrl(new URL('https://tok@host/')), 'https://host/');
    assert.equal(redactUrl('https://host/p?s3cret'), 'https://host/p?xxxxx', 'a bare key may be the secret');
    assert.equal(redactUrl('http://us er:pa ss@host/a b?q=1'), 'http://host/a%20b?q=xxxxx');
  });

  it('leaves a URL without secrets as it is', () => {
    assert.equal(redactUrl('http://prometheus.monitoring:9090/api'), 'http://prometheus.monitoring:9090/api');
    assert.equal(redactUrl('http://host/?'), 'http://host/');
  });

  it('keeps only scheme and host when the path is the secret', () => {
    const slack = 'https://hooks.slack.com/services/T0/B0/s3cret?x=1';
    assert.equal(redactUrl(slack, { keepPath: false }), 'https://hooks.slack.com');
    assert.equal(redactUrl('socks5://u:p@proxy:1080', { keepPath: false }), 'socks5://proxy:1080');
  });

  it('redacts text that does not parse as a URL by its delimiters', () => {
    assert.equal(redactUrl('http://u:s3cret@[bad/p?token=s3cret&x#f'), 'http://[bad/p?token=xxxxx&xxxxx');
    assert.equal(redactUrl('http://u:p@[bad/x', { keepPath: false }), 'http://[bad');
    assert.equal(redactUrl('user:s3cret@host'), 'xxxxx');
    assert.equal(redactUrl('not a url'), 'not a url');
    assert.equal(redactUrl('prometheus:9090'), 'prometheus:9090');
    assert.equal(redactUrl('hooks.slack.com/services/T0/s3cret', { keepPath: false }), 'xxxxx');
  });
});

describe('redactUrls', () => {
  it('redacts every URL in a message and nothing else', () => {
    assert.equal(
      redactUrls(
        'Get "http://u:p@h/api/v1/query?query=up": dial tcp 127.0.0.1:9: refused; see https://h2/x?k=v.',
      ),
      'Get "http://h/api/v1/query?query=xxxxx": dial tcp 127.0.0.1:9: refused; see https://h2/x?k=xxxxx',
    );
    assert.equal(redactUrls('no URL here: host:9090'), 'no URL here: host:9090');
    assert.equal(
      redactUrls('Request cannot be constructed from a URL that includes credentials: http://a:b@h/p', {
        keepPath: false,
      }),
      'Request cannot be constructed from a URL that includes credentials: http://h',
    );
  });
});
