// AWS Signature Version 4 checked from the receiving side, written from AWS's specification
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html), independent of the
// SDK that signed: the signature a request carries is recomputed from its method, path, query, signed headers and
// body with the secret key.
import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the Authorization header says. */
export interface SigV4Authorization {
  accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/** The parts of a SigV4 Authorization header; throws when it does not have that shape. */
export function parseSigV4(authorization: string | undefined): SigV4Authorization {
  const match = AUTHORIZATION.exec(authorization ?? '');
  if (match === null) throw new Error(`not a SigV4 Authorization header: ${authorization ?? '(none)'}`);
  const [, accessKeyId = '', date = '', region = '', service = '', signed = '', signature = ''] = match;
  return { accessKeyId, date, region, service, signedHeaders: signed.split(';'), signature };
}

/** The signature the request should carry, signed with `secretAccessKey` as its Authorization header says. */
export function expectedSigV4Signature(request: SignedRequest, secretAccessKey: string): string {
  const auth = parseSigV4(header(request.headers, 'authorization'));
  const amzDate = header(request.headers, 'x-amz-date') ?? '';
  const payloadHash =
    header(request.headers, 'x-amz-content-sha256') ??
    createHash('sha256').update(request.body).digest('hex');
  const canonicalHeaders = auth.signedHeaders
    .map(name => `${name}:${(header(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method,
    request.path.split('/').map(encode).join('/'),
    [...request.query]
      .map(([k, v]) => `${encode(k)}=${encode(v)}`)
      .sort()
      .join('&'),
    canonicalHeaders,
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  let key: Buffer = Buffer.from(`AWS4${secretAccessKey}`);
  for (const part of [auth.date, auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  return hmac(key, stringToSign).toString('hex');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** RFC 3986 encoding, as SigV4 wants it: everything but unreserved characters. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
