/**
 * Seeded, allocation-light randomness for simulators.
 *
 * Simulated records are never stored: record i of an object is rebuilt from (seed, salt, i) every
 * time it is served, so the generator must be a pure function of those integers. `hash` gives an
 * independent 32-bit value per tuple (stateless, O(1) random access); `Rng` is a tiny sequential
 * generator seeded from such a hash, for the many choices that make up one record.
 */

/** Finaliser of a 32-bit integer hash (lowbias32): good avalanche, two multiplies. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of up to four integers to a uint32. Order matters: hash(a, b) != hash(b, a). */
export function hash(a: number, b: number, c = 0, d = 0): number {
  let h = mix32(a ^ 0x9e3779b9);
  h = mix32(h ^ b);
  h = mix32((h + Math.imul(c | 0, 0x85ebca6b)) | 0);
  return mix32(h ^ Math.imul(d | 0, 0xc2b2ae35) ^ 0x27d4eb2f);
}

/** A uniform number in [0, 1) from up to four integers. */
export function unit(a: number, b: number, c = 0, d = 0): number {
  return hash(a, b, c, d) / 4294967296;
}

/** mulberry32: a fast sequential PRNG; one instance per record keeps generation order-independent. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi] (both inclusive). */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** Stable 32-bit hash of a string (FNV-1a), to turn names into salts. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
