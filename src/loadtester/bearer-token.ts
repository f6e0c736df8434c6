// Extension: -auth-token-file. The load tester runs commands for whoever reaches it; with this flag every task and
// gate request must carry `Authorization: Bearer <token>` with a token from the file. The file usually is a
// mounted Kubernetes Secret, which the kubelet replaces when the Secret changes: it is stat'ed on each request
// and read again when it changed, so a rotation needs no restart. It may hold several tokens, one per line, so
// that a new one can be added before the callers switch to it and the old one removed after.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from '../logging/logger.ts';
import type { Handler } from './gate-handlers.ts';
import { errorMessage } from './http-json.ts';
import { reply } from './http-io.ts';

export type TokenVerdict = 'accepted' | 'missing' | 'invalid';

/** What tells a changed file from the one read last: a Secret update swaps a symlink, so the inode changes. */
function fingerprint(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/** SHA-256 digests have one length, so timingSafeEqual compares tokens of any length without leaking it. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The tokens of a file's text: one per line, surrounding whitespace (a final newline) ignored. */
export function tokensOf(text: string): string[] {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '');
}

/** The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive); undefined if none. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const token = /^Bearer +(\S.*)$/i.exec(header ?? '')?.[1]?.trim();
  return token === '' ? undefined : token;
}

export class BearerTokenFile {
  readonly path: string;
  private readonly logger: Logger;
  private digests: Buffer[];
  private readFrom: string;
  private lastProblem: string | undefined;

  private constructor(path: string, logger: Logger, digests: Buffer[], readFrom: string) {
    this.path = path;
    this.logger = logger;
    this.digests = digests;
    this.readFrom = readFrom;
  }

  /** Reads the file; rejects when it cannot be read or holds no token, so that a typo never opens the door. */
  static async open(path: string, logger: Logger): Promise<BearerTokenFile> {
    const { digests, readFrom } = await BearerTokenFile.read(path);
    return new BearerTokenFile(path, logger, digests, readFrom);
  }

  private static async read(path: string): Promise<{ digests: Buffer[]; readFrom: string }> {
    const readFrom = fingerprint(await stat(path));
    const tokens = tokensOf(await readFile(path, 'utf8'));
    if (tokens.length === 0) throw new Error(`-auth-token-file ${path} holds no token`);
    return { digests: tokens.map(digest), readFrom };
  }

  /** Checks the token of an Authorization header against every token of the file, in constant time. */
  async verify(header: string | undefined): Promise<TokenVerdict> {
    await this.refresh();
    const token = bearerTokenOf(header);
    if (token === undefined) return 'missing';
    const offered = digest(token);
    let accepted = false;
    // No early exit: the time taken does not say which line matched.
    for (const expected of this.digests) accepted = timingSafeEqual(offered, expected) || accepted;
    return accepted ? 'accepted' : 'invalid';
  }

  /**
   * Reads the file again when it changed. A file that went missing or empty keeps the tokens read last (the
   * kubelet swaps a Secret's files atomically, so this is an operator's mistake, not a rotation), with a warning.
   */
  private async refresh(): Promise<void> {
    try {
      if (fingerprint(await stat(this.path)) === this.readFrom) return;
      const { digests, readFrom } = await BearerTokenFile.read(this.path);
      this.digests = digests;
      this.readFrom = readFrom;
      this.lastProblem = undefined;
      this.logger.info(`Bearer tokens read again from ${this.path} (-auth-token-file): ${digests.length}`);
    } catch (err) {
      const problem = errorMessage(err);
      if (problem === this.lastProblem) return;
      this.lastProblem = problem;
      this.logger.warn(`Reading -auth-token-file failed, the tokens read before stay in force: ${problem}`);
    }
  }
}

const CHALLENGE = 'Bearer realm="flagger-loadtester"';

/** `handler` behind the token check: 401 with a body that says what is wanted, before the body is read. */
export function requireBearerToken(tokens: BearerTokenFile, handler: Handler, logger: Logger): Handler {
  return async (req, res) => {
    const verdict = await tokens.verify(req.headers.authorization);
    if (verdict === 'accepted') return handler(req, res);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    logger.warn(
      `${req.method ?? ''} ${path} from ${req.socket.remoteAddress ?? 'unknown'} refused: ${verdict} bearer token`,
    );
    res.setHeader(
      'WWW-Authenticate',
      verdict === 'missing' ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`,
    );
    reply(
      res,
      401,
      verdict === 'missing'
        ? 'Unauthorized: this load tester requires an Authorization: Bearer <token> header (-auth-token-file)'
        : 'Unauthorized: the bearer token is not valid (-auth-token-file)',
    );
  };
}
