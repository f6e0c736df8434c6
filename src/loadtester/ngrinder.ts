// The nGrinder REST API as Flagger's ngrinder task uses it, with HTTP basic auth: clone a test and start it,
// read its status, stop it. Paths are resolved against the server URL like Go's URL.ResolveReference does with
// a relative path (so `http://host/ngrinder/` keeps its path, `http://host/ngrinder` does not).
import { requestJson } from './http-json.ts';

export class NGrinderClient {
  private readonly server: URL;
  private readonly authorization: string;

  constructor(server: URL, username: string, password: string) {
    this.server = server;
    this.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  cloneAndStartUrl(cloneId: number): URL {
    return new URL(`perftest/api/${cloneId}/clone_and_start`, this.server);
  }

  /** Clones test `cloneId` and starts the copy; returns the new test's id. */
  async cloneAndStart(cloneId: number, signal: AbortSignal): Promise<number> {
    const answer = await this.request('POST', this.cloneAndStartUrl(cloneId), signal);
    if (typeof answer.id !== 'number') throw new Error('nGrinder clone_and_start returned no test id');
    return answer.id;
  }

  /** The test's status_id (READY, TESTING, FINISHED, STOP_BY_ERROR, CANCELED, UNKNOWN, ...), if any. */
  async status(testId: number, signal: AbortSignal): Promise<string | undefined> {
    const answer = await this.request('GET', new URL(`perftest/api/${testId}/status`, this.server), signal);
    const [first] = Array.isArray(answer.status) ? (answer.status as unknown[]) : [];
    if (typeof first !== 'object' || first === null) return undefined;
    const id = (first as Record<string, unknown>).status_id;
    return typeof id === 'string' ? id : undefined;
  }

  async stop(testId: number, signal: AbortSignal): Promise<void> {
    await this.request('PUT', new URL(`perftest/api/${testId}?action=stop`, this.server), signal);
  }

  /** One call; an answer with `"success": false` is an error, as in Flagger. */
  private async request(method: string, url: URL, signal: AbortSignal): Promise<Record<string, unknown>> {
    const answer = await requestJson({ method, url, headers: { Authorization: this.authorization }, signal });
    if (answer.success === false) throw new Error(`${method} ${url.href} failed: ${JSON.stringify(answer)}`);
    return answer;
  }
}
