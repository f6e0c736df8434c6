// Equality of Kubernetes object parts as Flagger's cmp.Diff on Go structs sees it: a field left out and a field
// set to its zero value ("", 0, false, empty list or map) are the same thing, because Go decodes both alike.
// The API server may echo an object with or without such fields, so a plain deep-equal would report changes
// that are not there and make every reconcile write.
import { canonicalJson } from '../util/hash.ts';

/** value without zero-valued object fields (recursively); list items are kept, as Go keeps them. */
export function withoutZeroValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutZeroValues);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .map(([key, field]) => [key, withoutZeroValues(field)] as const)
    .filter(([, field]) => !isZero(field));
  return Object.fromEntries(entries);
}

function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** True when a and b differ only in zero-valued fields and key order. */
export function semanticallyEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(normalized(a)) === canonicalJson(normalized(b));
}

/** items without those semantically equal to the item after them. */
export function withoutRepeats<T>(items: readonly T[]): T[] {
  return items.filter(
    (item, index) => index + 1 >= items.length || !semanticallyEqual(item, items[index + 1]),
  );
}

function normalized(value: unknown): unknown {
  const pruned = withoutZeroValues(value);
  return isZero(pruned) ? null : pruned;
}
