// Seeds of the randomised tests, so that a failing run can be replayed: each run draws a fresh seed unless the
// environment names one, and the test prints the seed it used.
import { randomInt } from 'node:crypto';

/** The seed in the environment variable `name`, to replay a run; a fresh one when it is unset. */
export function testSeed(name: string): number {
  const text = process.env[name] ?? '';
  if (text === '') return randomInt(2 ** 31);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`${name}=${text}: a seed is an integer`);
  return seed;
}

/** mulberry32: a small generator of numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
