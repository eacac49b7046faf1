import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import os from 'node:os';

/*
 * Passwords are hashed with scrypt (node:crypto) and a per-user 16-byte salt. N = 2^15, r = 8 costs
 * 32 MiB and tens of milliseconds per attempt: slow for a guesser, still quick for a person signing in.
 * The parameters are stored with each hash so they can be raised without invalidating old ones.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

/*
 * Hashes run at most one fewer at once than there are cores (one on a 2-core server), the rest wait in
 * line: a burst of sign-ins (30 from one address fit in its budget) must not take every core from
 * report ingest, which runs on the event loop. Measured in bench/flood/flood.ts (BENCHMARKS.md).
 */
const MAX_CONCURRENT = Math.max(1, os.availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

async function derive(password: string, salt: Buffer, options: ScryptOptions, keyLength: number): Promise<Buffer> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await new Promise((resolve, reject) =>
      scrypt(
        password.normalize('NFC'),
        salt,
        keyLength,
        { ...options, maxmem: 256 * (options.N ?? 1) * (options.r ?? 8) },
        (error, key) => (error ? reject(error) : resolve(key)),
      ),
    );
  } finally {
    // The slot passes straight to the next in line, or is freed.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** Hashes a password as scrypt$N$r$p$salt$hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST, KEY_LENGTH);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(
    password,
    Buffer.from(salt, 'base64url'),
    { N: Number(n), r: Number(r), p: Number(p) },
    expected.length,
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A hash of a random password (made on first use), checked when the username is unknown so that an
 * unknown name and a wrong password take the same time and a guesser cannot learn which accounts exist.
 */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
