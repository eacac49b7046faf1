import { seededRandom as mulberry32 } from '../../server/demo/seeded-random.ts';

/*
 * A small seeded PRNG (mulberry32, the synthetic worlds' own) so a failing fault-injection run replays from
 * its printed seed. fast-check has its own seeds; this is for the harnesses that are not properties.
 */

export interface Random {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
}

/** A PRNG from SANTONG_SEED when set (to replay a failure), else from a fresh random seed. */
export function seededRandom(seedText = process.env.SANTONG_SEED): Random {
  const seed = seedText ? Number(seedText) >>> 0 : Math.floor(Math.random() * 2 ** 32) >>> 0;
  const next = mulberry32(seed);
  return { seed, next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** Long fault and fuzz runs (SANTONG_LONG=1) instead of the bounded CI budget. */
export const longRun = process.env.SANTONG_LONG === '1';
