// URLs carry secrets: user info (http://user:token@host), query values (?token=...). Any message that names a URL
// (errors, events, logs, the status) shows it through here. Scheme, host and path stay, so the message still
// says where the call went; user info, query values and the fragment go.

const HIDDEN = 'xxxxx';

// A URL inside free text: a scheme, "://", then everything up to a space, a quote or an angle bracket.
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

export interface RedactOptions {
  /**
   * False keeps only the scheme and host: for addresses whose path is the secret (Slack, MS Teams, Discord and
   * Google Chat webhooks carry their token in the path).
   */
  keepPath?: boolean;
}

/** The URL as a message may show it; text that does not parse as a URL is redacted as text. */
export function redactUrl(url: URL | string, options: RedactOptions = {}): string {
  const parsed = typeof url === 'string' ? URL.parse(url) : url;
  // Without "//" the rest is opaque ("user:s3cret@host" parses with the scheme "user:"): redacted as text.
  if (parsed === null || !parsed.href.startsWith(`${parsed.protocol}//`)) {
    return redactUnparsed(String(url), options);
  }
  // Not `origin`: it is "null" for schemes such as socks5.
  if (options.keepPath === false) return `${parsed.protocol}//${parsed.host}`;
  const copy = new URL(parsed);
  copy.username = '';
  copy.password = '';
  copy.hash = '';
  copy.search = hiddenQuery(parsed.search);
  return copy.href;
}

/** `text` with every URL in it redacted. */
export function redactUrls(text: string, options: RedactOptions = {}): string {
  return text.replace(URL_IN_TEXT, url => redactUrl(url, options));
}

/** "?a=1&b" becomes "?a=xxxxx&xxxxx": the keys say what was sent, a key without a value may be the secret. */
function hiddenQuery(search: string): string {
  if (search === '' || search === '?') return '';
  const parts = search.slice(1).split('&');
  return `?${parts.map(part => (part.includes('=') ? `${part.split('=', 1)[0] ?? ''}=${HIDDEN}` : HIDDEN)).join('&')}`;
}

/** A string that is no URL (a typo, a space): user info, query and fragment are cut by their delimiters. */
function redactUnparsed(text: string, options: RedactOptions): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0];
  if (scheme === undefined) {
    const secretFree = options.keepPath !== false && !text.includes('@') && !text.includes('?');
    return secretFree ? text : HIDDEN;
  }
  const rest = text.slice(scheme.length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (options.keepPath === false) return `${scheme}${host}`;
  const tail = authorityEnd < 0 ? '' : rest.slice(authorityEnd);
  const queryAt = tail.search(/[?#]/);
  const path = queryAt < 0 ? tail : tail.slice(0, queryAt);
  const query =
    queryAt >= 0 && tail[queryAt] === '?' ? hiddenQuery(tail.slice(queryAt).split('#')[0] ?? '') : '';
  return `${scheme}${host}${path}${query}`;
}
