// Content hashes of specs and configs: the values in status.lastAppliedSpec, lastPromotedSpec and
// trackedConfigs, and the webhook checksum. Flagger hashes Go's spew output with FNV-32a, which cannot be
// reproduced outside Go (quirk Q18); ours hash canonical JSON with SHA-256. Both are written with the same
// "safe" alphabet, but ours are always 16 characters and Flagger's at most 10 (a uint32 in decimal), so a
// status written by Flagger can be told apart and migrated instead of starting a spurious release.
import { createHash } from 'node:crypto';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const HASH_LENGTH = 16;
const OWN_HASH = new RegExp(`^[${SAFE_ALPHABET}]{${HASH_LENGTH}}$`);

/** JSON with object keys sorted at every level, so equal values always serialise the same way. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
  });
}

/** The 16-character hash of a value (undefined fields are ignored, like absent ones). */
export function computeHash(value: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(value)).digest();
  let out = '';
  for (let i = 0; i < HASH_LENGTH; i++) out += SAFE_ALPHABET.charAt((digest[i] ?? 0) % SAFE_ALPHABET.length);
  return out;
}

/** True for hashes this product writes; false for Flagger's (and anything else). */
export function isOwnHash(value: string | undefined): boolean {
  return value !== undefined && OWN_HASH.test(value);
}

/**
 * Flagger's config checksum, reproduced exactly: the first 8 bytes of SHA-256, in hex, of Go's json.Marshal of a
 * ConfigMap's or Secret's data (keys sorted; <, >, &, U+2028 and U+2029 escaped). Secret data is compared in
 * its wire form (base64 strings), which is what Go marshals []byte values to.
 */
export function configChecksum(data: Record<string, string> | undefined): string {
  return createHash('sha256')
    .update(goJson(data ?? null))
    .digest('hex')
    .slice(0, 16);
}

function goJson(value: unknown): string {
  return canonicalJson(value).replace(
    /[<>&\u2028\u2029]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
