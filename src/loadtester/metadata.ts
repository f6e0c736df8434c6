// Reading a webhook's metadata (a map of strings) with clear errors: every task type validates what it needs
// before anything runs, and an invalid value is a 400 naming the key, never a silent default.

export type Metadata = Readonly<Record<string, string>>;

/** Invalid or missing metadata: the request is answered 400 with this message. */
export class MetadataError extends Error {
  override name = 'MetadataError';
}

/** The value of a key that must be present and not blank. */
export function required(metadata: Metadata, key: string, message: string): string {
  const value = metadata[key];
  if (value === undefined || value.trim() === '') throw new MetadataError(message);
  return value;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * A boolean flag such as `returnCmdOutput` or `logCmdOutput`, with the spellings Go's strconv.ParseBool
 * accepts. Absent means false. Flagger ignores a value it cannot parse (and treats it as false); here it is an
 * error, so that a typo does not silently switch the option off.
 */
export function booleanOption(metadata: Metadata, key: string): boolean {
  const value = metadata[key];
  if (value === undefined) return false;
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new MetadataError(`metadata ${key} must be a boolean (true or false), got ${JSON.stringify(value)}`);
}

/** A whole number in decimal, as Go's strconv.Atoi reads it (an optional sign, digits only). */
export function parseInteger(value: string): number | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** An http or https URL; anything else is a MetadataError with the given message. */
export function httpUrl(value: string, message: string): URL {
  if (!URL.canParse(value)) throw new MetadataError(`${message}: ${JSON.stringify(value)} is not a URL`);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new MetadataError(`${message}: ${JSON.stringify(value)} is not an http or https URL`);
  return url;
}
