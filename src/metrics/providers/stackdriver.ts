// The Stackdriver (Google Cloud Monitoring) metrics provider: Flagger's StackDriverProvider runs MQL through the
// Monitoring API's QueryTimeSeries; here the same call goes over its REST form (POST
// /v3/projects/<id>/timeSeries:query) with an OAuth2 access token obtained without Google's client libraries: a
// JWT bearer grant signed with the service-account key from the Secret, else Application Default Credentials (the
// key file named by GOOGLE_APPLICATION_CREDENTIALS, else the metadata server, as on GKE with Workload Identity).
import { createSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import type { MetricsProvider } from '../types.ts';
import { endpoint, field, getJson, httpAddress, HTTP_TIMEOUT_MS, type HttpQuery } from '../../util/http.ts';
import { credential, noValues } from './http-query.ts';

export const MONITORING_API = 'https://monitoring.googleapis.com';
export const METADATA_SERVER = 'http://metadata.google.internal';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
// Flagger's IsOnline comment names this scope as the one it needs.
const SCOPE = 'https://www.googleapis.com/auth/monitoring.read';
const JWT_LIFETIME_S = 3600;

export interface StackdriverOptions {
  /** The project id (not "projects/<id>"). */
  project: string;
  /** A service-account key (JSON) from the Secret; wins over Application Default Credentials. */
  serviceAccountKey?: string;
  /** An ADC key file (GOOGLE_APPLICATION_CREDENTIALS), used when there is no serviceAccountKey. */
  credentialsFile?: string;
  /** Seams for tests: the Monitoring API, the metadata server and the key's token_uri. */
  apiAddress?: string;
  metadataAddress?: string;
  tokenUrl?: string;
  timeoutMs?: number;
  /** Clock seam for tests (epoch milliseconds). */
  now?: () => number;
  dispatcher?: Dispatcher;
}

interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUri: string;
}

export class StackdriverProvider implements MetricsProvider {
  private readonly api: URL;
  private readonly options: StackdriverOptions;
  private token: Promise<string> | undefined;

  constructor(options: StackdriverOptions) {
    this.api = httpAddress('stackdriver', options.apiAddress ?? MONITORING_API);
    this.options = options;
  }

  /**
   * Like Flagger, the project comes from the Secret's `project` key and `serviceAccountKey` is optional; the address
   * is not used. Without a secretRef Flagger queries the empty project name and always fails: here an error up front.
   */
  static fromTemplate(credentials: Readonly<Record<string, string>> | undefined): StackdriverProvider {
    const project = credential('stackdriver', credentials, 'project', 'a project id');
    const serviceAccountKey = credentials?.serviceAccountKey;
    const { GOOGLE_APPLICATION_CREDENTIALS: credentialsFile, GCE_METADATA_HOST: metadataHost } = process.env;
    return new StackdriverProvider({
      project,
      ...(serviceAccountKey !== undefined && { serviceAccountKey }),
      ...(credentialsFile !== undefined && credentialsFile !== '' && { credentialsFile }),
      // Google's libraries read the metadata server's host:port from GCE_METADATA_HOST.
      ...(metadataHost !== undefined && metadataHost !== '' && { metadataAddress: `http://${metadataHost}` }),
    });
  }

  /** The token and every page share one deadline: an API that hands out empty pages without end stops there. */
  async runQuery(query: string, signal?: AbortSignal): Promise<number> {
    const deadline = AbortSignal.timeout(this.options.timeoutMs ?? HTTP_TIMEOUT_MS);
    const bounded = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    let json: unknown;
    let body: string;
    let pageToken: unknown;
    // The Go iterator behind Flagger's it.Next() skips empty pages, so an empty page with a next one reads on.
    do {
      ({ json, body } = await getJson(await this.queryRequest(query, pageToken, bounded)));
      pageToken = field(json, 'nextPageToken');
    } while (emptyPage(json) && typeof pageToken === 'string' && pageToken !== '');
    return extractStackdriverValue(json, body);
  }

  /**
   * Like Flagger: an empty query must be refused as INVALID_ARGUMENT (or answered); any other failure, such as
   * PERMISSION_DENIED for a service account without monitoring.read, means offline.
   */
  async isOnline(signal?: AbortSignal): Promise<boolean> {
    try {
      const request = await this.queryRequest('', undefined, signal);
      const { json } = await getJson(request, status => status === 200 || status === 400);
      const status = field(field(json, 'error'), 'status');
      return status === undefined || status === 'INVALID_ARGUMENT';
    } catch {
      return false;
    }
  }

  private async queryRequest(
    query: string,
    pageToken: unknown,
    signal: AbortSignal | undefined,
  ): Promise<HttpQuery> {
    const token = await this.accessToken(signal);
    const path = `/v3/projects/${encodeURIComponent(this.options.project)}/timeSeries:query`;
    return {
      ...this.http(endpoint(this.api, path), signal),
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(typeof pageToken === 'string' ? { query, pageToken } : { query }),
    };
  }

  /** One token per provider: Flagger builds a provider per check, far shorter than a token's hour. */
  private accessToken(signal: AbortSignal | undefined): Promise<string> {
    this.token ??= this.fetchToken(signal).catch((err: unknown) => {
      this.token = undefined;
      throw err;
    });
    return this.token;
  }

  private async fetchToken(signal: AbortSignal | undefined): Promise<string> {
    const { serviceAccountKey, credentialsFile } = this.options;
    let keyJson = serviceAccountKey;
    if (keyJson === undefined && credentialsFile !== undefined) {
      keyJson = await readFile(credentialsFile, 'utf8').catch((err: unknown) => {
        throw new Error(`stackdriver cannot read ${credentialsFile}`, { cause: err });
      });
    }
    if (keyJson === undefined) return this.metadataToken(signal);
    const key = parseKey(keyJson);
    const tokenUrl = this.options.tokenUrl ?? key.tokenUri;
    const assertion = signJwt(key, tokenUrl, (this.options.now ?? Date.now)());
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    });
    const { json } = await getJson({
      ...this.http(new URL(tokenUrl), signal),
      provider: 'stackdriver token',
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    return accessTokenOf(json);
  }

  private async metadataToken(signal: AbortSignal | undefined): Promise<string> {
    const base = httpAddress('stackdriver', this.options.metadataAddress ?? METADATA_SERVER);
    const url = endpoint(base, '/computeMetadata/v1/instance/service-accounts/default/token', {
      scopes: SCOPE,
    });
    const { json } = await getJson({
      ...this.http(url, signal),
      provider: 'stackdriver metadata token',
      headers: { 'Metadata-Flavor': 'Google' },
    });
    return accessTokenOf(json);
  }

  private http(url: URL, signal: AbortSignal | undefined): HttpQuery {
    return {
      provider: 'stackdriver',
      url,
      timeoutMs: this.options.timeoutMs,
      signal,
      dispatcher: this.options.dispatcher,
    };
  }
}

/**
 * The value of a timeSeries:query answer, as Flagger reads it: the first point of the first series, its first
 * value. Flagger reads only doubleValue (an int64Value becomes 0); here an int64Value is read as the number it is.
 */
export function extractStackdriverValue(response: unknown, body: string): number {
  const series = field(response, 'timeSeriesData');
  const points = field(Array.isArray(series) ? series[0] : undefined, 'pointData');
  const values = field(Array.isArray(points) ? points[0] : undefined, 'values');
  const value: unknown = Array.isArray(values) ? values[0] : undefined;
  if (value === undefined) throw noValues(body);
  // Proto3 JSON writes int64 as a string and a non-finite double as "NaN", "Infinity" or "-Infinity".
  const number = field(value, 'doubleValue') ?? field(value, 'int64Value');
  const parsed = typeof number === 'string' ? Number(number) : number;
  if (typeof parsed !== 'number' || (Number.isNaN(parsed) && number !== 'NaN')) {
    throw new Error(`stackdriver unsupported value type: ${JSON.stringify(value)}`);
  }
  return parsed;
}

function emptyPage(response: unknown): boolean {
  const series = field(response, 'timeSeriesData');
  return !Array.isArray(series) || series.length === 0;
}

/** The fields of a service-account key; the error never quotes the key. */
function parseKey(text: string): ServiceAccountKey {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('stackdriver serviceAccountKey is not valid JSON');
  }
  const clientEmail = field(json, 'client_email');
  const privateKey = field(json, 'private_key');
  const privateKeyId = field(json, 'private_key_id');
  const tokenUri = field(json, 'token_uri');
  if (typeof clientEmail !== 'string' || typeof privateKey !== 'string') {
    throw new Error('stackdriver serviceAccountKey is not a service account key (client_email, private_key)');
  }
  return {
    clientEmail,
    privateKey,
    ...(typeof privateKeyId === 'string' && { privateKeyId }),
    tokenUri: typeof tokenUri === 'string' && tokenUri !== '' ? tokenUri : DEFAULT_TOKEN_URI,
  };
}

/** The RS256-signed assertion of OAuth2's JWT bearer grant (RFC 7523), as Google's token endpoint expects it. */
function signJwt(key: ServiceAccountKey, audience: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = {
    alg: 'RS256',
    typ: 'JWT',
    ...(key.privateKeyId !== undefined && { kid: key.privateKeyId }),
  };
  const claims = { iss: key.clientEmail, scope: SCOPE, aud: audience, iat, exp: iat + JWT_LIFETIME_S };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  let signature: string;
  try {
    signature = createSign('RSA-SHA256').update(unsigned).sign(key.privateKey, 'base64url');
  } catch {
    throw new Error('stackdriver serviceAccountKey holds an unusable private_key');
  }
  return `${unsigned}.${signature}`;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function accessTokenOf(response: unknown): string {
  const token = field(response, 'access_token');
  if (typeof token !== 'string' || token === '')
    throw new Error('stackdriver token response holds no access_token');
  return token;
}
