// The Concord process API as Flagger's concord task uses it: a multipart POST /api/v1/process that starts a
// process, then GET /api/v1/process/<instanceId> for its status. The API key is read from a file for every
// request (a mounted Secret may be rotated) and sent, as Concord expects, as the raw Authorization header.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { requestJson } from './http-json.ts';

const PROCESS_PATH = '/api/v1/process';

export interface ConcordProcess {
  instanceId: string;
  status: string;
}

export class ConcordClient {
  private readonly server: URL;
  private readonly apiKeyPath: string;

  constructor(server: URL, apiKeyPath: string) {
    this.server = server;
    this.apiKeyPath = apiKeyPath;
  }

  /** Starts a process with the form fields given, in order; returns its instance id. */
  async start(fields: readonly (readonly [string, string])[], signal: AbortSignal): Promise<string> {
    const boundary = randomBytes(24).toString('hex');
    const answer = await requestJson({
      method: 'POST',
      url: new URL(PROCESS_PATH, this.server),
      headers: { ...this.auth(), 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body: multipartBody(fields, boundary),
      signal,
    });
    const id = answer.instanceId;
    // Flagger goes on polling /api/v1/process/ with an empty id; an answer without one is an error here.
    if (typeof id !== 'string' || id === '') throw new Error('concord did not return an instanceId');
    return id;
  }

  /** The process's status (RUNNING, FINISHED, FAILED, ...). */
  async process(instanceId: string, signal: AbortSignal): Promise<ConcordProcess> {
    const answer = await requestJson({
      method: 'GET',
      url: new URL(`${PROCESS_PATH}/${encodeURIComponent(instanceId)}`, this.server),
      headers: this.auth(),
      signal,
    });
    return {
      instanceId: typeof answer.instanceId === 'string' ? answer.instanceId : instanceId,
      status: typeof answer.status === 'string' ? answer.status : '',
    };
  }

  private auth(): Record<string, string> {
    // Flagger sends the file as is; a trailing newline (as `kubectl create secret --from-file` keeps) would make
    // the header invalid, so surrounding whitespace is dropped.
    const key = readFileSync(this.apiKeyPath, 'utf8').trim();
    return key === '' ? {} : { Authorization: key };
  }
}

/** multipart/form-data with one text part per field, as Go's multipart.Writer.WriteField writes them. */
export function multipartBody(fields: readonly (readonly [string, string])[], boundary: string): Buffer {
  const parts = fields.map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${value}\r\n`,
  );
  return Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8');
}

/** Go escapes backslashes and quotes in a part's name; line breaks could end the header, so they become spaces. */
function escapeName(name: string): string {
  return name.replace(/[\\"]/g, c => `\\${c}`).replace(/[\r\n]/g, ' ');
}
