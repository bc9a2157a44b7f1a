/**
 * Seeded PRNG (mulberry32). The simulator must be byte-for-byte reproducible from a seed, so nothing
 * in src/simulate may call Math.random or read the clock.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number;
  /** Uniform real in [min, max). */
  real(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Approximately normal (sum of uniforms); cheap and good enough for lab noise. */
  normal(mean: number, sd: number): number;
  /** An independent stream keyed by label, so one patient's draws never shift another's. */
  fork(label: string | number): Rng;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the label mixed with the parent seed. */
export function hashSeed(seed: number, label: string | number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  const s = String(label);
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    real: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    normal: (mean, sd) => mean + sd * (next() + next() + next() + next() + next() + next() - 3) * Math.SQRT2,
    fork: (label) => createRng(hashSeed(seed, label)),
  };
  return rng;
}
