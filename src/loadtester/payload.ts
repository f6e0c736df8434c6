// The JSON body Flagger posts to the load tester (CanaryWebhookPayload), decoded as Go's encoding/json decodes
// it into that struct: unknown fields are ignored, null leaves a field empty, a value of the wrong type is an
// error (400).

export interface LoadTesterPayload {
  name: string;
  namespace: string;
  phase: string;
  checksum: string;
  metadata: Record<string, string>;
}

/** Thrown for a body that is not a valid payload. */
export class PayloadError extends Error {
  override name = 'PayloadError';
}

const STRING_FIELDS = ['name', 'namespace', 'phase', 'checksum'] as const;

export function parsePayload(body: string): LoadTesterPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new PayloadError(`decoding the request body failed: ${(err as Error).message}`);
  }
  const payload: LoadTesterPayload = { name: '', namespace: '', phase: '', checksum: '', metadata: {} };
  if (parsed === null) return payload;
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new PayloadError('decoding the request body failed: not a JSON object');
  const object = parsed as Record<string, unknown>;
  for (const field of STRING_FIELDS) payload[field] = stringField(object[field], field);
  payload.metadata = metadataField(object.metadata);
  return payload;
}

function stringField(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string')
    throw new PayloadError(`decoding the request body failed: ${field} is not a string`);
  return value;
}

function metadataField(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new PayloadError('decoding the request body failed: metadata is not an object');
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (entry !== null && typeof entry !== 'string')
      throw new PayloadError(`decoding the request body failed: metadata.${key} is not a string`);
    metadata[key] = entry ?? '';
  }
  return metadata;
}
