// SMI v1alpha1 writes a backend weight as a Kubernetes resource.Quantity ("100", and in Linkerd's own examples
// "500m"); later versions write an integer. Flagger reads a Quantity with Value(), which rounds up to an
// integer, so "500m" is 1.

const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

const QUANTITY = /^([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** A backend weight as an integer; 0 when missing or unreadable (Flagger's zero value). */
export function readSmiWeight(weight: string | number | undefined): number {
  if (typeof weight === 'number') return weight;
  const match = QUANTITY.exec(weight?.trim() ?? '');
  const number = match?.[1];
  if (number === undefined) return 0;
  const scaled = Number(number) * (SUFFIXES[match?.[2] ?? ''] ?? 1);
  // Rounded before the ceiling so that float noise (0.1 * 1e3) does not add one.
  return Math.ceil(Number(scaled.toFixed(6)));
}
