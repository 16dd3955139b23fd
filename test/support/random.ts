// A seeded random source (mulberry32) for tests that generate input or schedule faults: the
// seed is printed, and the same seed draws the same sequence, so a failing run can be repeated.

export interface Random {
  readonly seed: number;
  /** In [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  bytes(n: number): Buffer;
}

/**
 * An independent source drawn from `parent`: give each concurrent user its own, so the sequence
 * each one draws does not depend on how their draws interleave in time.
 */
export function derivedRandom(parent: Random): Random {
  return seededRandom(parent.int(0, 0xffffffff));
}

export function seedFrom(text: string | undefined): number {
  if (text !== undefined && text !== '') {
    const parsed = Number(text);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 0xffffffff) {
      throw new Error(`a seed must be an integer between 0 and 4294967295, not ${text}`);
    }
    return parsed;
  }
  return Math.floor(Math.random() * 0xffffffff);
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)] as T;
    },
    chance: (p: number) => next() < p,
    bytes(n: number): Buffer {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i += 1) out[i] = int(0, 255);
      return out;
    },
  };
}
