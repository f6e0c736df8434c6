// A Secret's values as text: the API server sends `data` base64-encoded. Shared by everything that reads
// credentials from a Secret (metric providers, alert providers, webhook tokens).

export function decodeSecretData(secret: { data?: Record<string, string> }): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
}
