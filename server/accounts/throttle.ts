import { createHash } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { loginAttempts } from '../db/schema.ts';

/*
 * Login throttling by progressive delay, never a long lock (decision 067). Two budgets, both within
 * WINDOW_MS of the first failure:
 * - per username + client address: MAX_FAILURES free failures, then each failure makes that pair wait
 *   FIRST_LOCK_MS, doubling, at most MAX_LOCK_MS;
 * - per username, all addresses together: ACCOUNT_MAX_FAILURES, then the same growing wait for everyone,
 *   which slows a guesser spread over many addresses.
 * A school's pupils share one address with its teachers, and a proxy without SANTONG_TRUST_PROXY makes
 * everyone share the proxy's: whoever fails there can keep a teacher waiting MAX_LOCK_MS at a time, never
 * the 15 minutes a hard lock cost. Guessing stays slow: a few tries a minute against a scrypt hash.
 */
export const MAX_FAILURES = 5;
export const ACCOUNT_MAX_FAILURES = 20;
const WINDOW_MS = 15 * 60_000;
const FIRST_LOCK_MS = 5_000;
export const MAX_LOCK_MS = 60_000;

// Hashed: a password typed into the name field (a common slip) must not sit in the database either.
// The account-wide budget is keyed with '*', which no client address can be.
const keyOf = (username: string, address: string) =>
  createHash('sha256').update(`${username.toLowerCase()}|${address}`, 'utf8').digest('hex');
const keysOf = (username: string, address: string) => ({
  pair: keyOf(username, address),
  account: keyOf(username, '*'),
});

/** How long a budget waits after its `failures`-th failure, or null while failures are still free. */
const lockFor = (failures: number, free: number) =>
  failures < free ? null : Math.min(FIRST_LOCK_MS * 2 ** (failures - free), MAX_LOCK_MS);

/** When the username may be tried from this address again, if it must wait; otherwise null. */
export function lockedUntil(db: Db, username: string, address: string, now: number): number | null {
  const { pair, account } = keysOf(username, address);
  const until = db
    .select({ lockedUntil: loginAttempts.lockedUntil })
    .from(loginAttempts)
    .where(inArray(loginAttempts.key, [pair, account]))
    .all()
    .reduce((latest, row) => Math.max(latest, row.lockedUntil ?? 0), 0);
  return until > now ? until : null;
}

/** Counts a failed sign-in against both budgets; each makes the next try wait once it is spent. */
export function recordFailure(db: Db, username: string, address: string, now: number): void {
  const { pair, account } = keysOf(username, address);
  for (const [key, free] of [
    [pair, MAX_FAILURES],
    [account, ACCOUNT_MAX_FAILURES],
  ] as const) {
    const row = db.select().from(loginAttempts).where(eq(loginAttempts.key, key)).get();
    const fresh = !row || now - row.firstFailureAt > WINDOW_MS;
    const failures = fresh ? 1 : row.failures + 1;
    const lock = lockFor(failures, free);
    const values = {
      failures,
      firstFailureAt: fresh ? now : row.firstFailureAt,
      lockedUntil: lock === null ? null : now + lock,
    };
    db.insert(loginAttempts)
      .values({ key, ...values })
      .onConflictDoUpdate({ target: loginAttempts.key, set: values })
      .run();
  }
}

/**
 * Forgets the failures of a pair after a successful sign-in. The account-wide budget stays: one
 * person signing in says nothing about the guesses made from elsewhere.
 */
export function clearFailures(db: Db, username: string, address: string): void {
  db.delete(loginAttempts)
    .where(eq(loginAttempts.key, keysOf(username, address).pair))
    .run();
}
