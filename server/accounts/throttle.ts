import { createHash } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import type { Store } from '../db/store.ts';

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
export async function lockedUntil(
  store: Store,
  username: string,
  address: string,
  now: number,
): Promise<number | null> {
  const { pair, account } = keysOf(username, address);
  const { loginAttempts } = store.t;
  const rows = await store.q
    .select({ lockedUntil: loginAttempts.lockedUntil })
    .from(loginAttempts)
    .where(inArray(loginAttempts.key, [pair, account]));
  const until = rows.reduce((latest, row) => Math.max(latest, row.lockedUntil ?? 0), 0);
  return until > now ? until : null;
}

/**
 * Counts a failed sign-in against both budgets; each makes the next try wait once it is spent. The count lives
 * in the database, in one transaction, so failures sent to different server processes add up (issue 14).
 */
export async function recordFailure(store: Store, username: string, address: string, now: number): Promise<void> {
  const { pair, account } = keysOf(username, address);
  await store.transaction(async (tx) => {
    for (const [key, free] of [
      [pair, MAX_FAILURES],
      [account, ACCOUNT_MAX_FAILURES],
    ] as const)
      await countFailure(tx, key, free, now);
  });
}

/** One budget's failure: a fresh window after WINDOW_MS, and the wait its count has earned. */
async function countFailure(tx: Store, key: string, free: number, now: number): Promise<void> {
  const { loginAttempts } = tx.t;
  const [row] = await tx.q.select().from(loginAttempts).where(eq(loginAttempts.key, key)).limit(1);
  const fresh = !row || now - row.firstFailureAt > WINDOW_MS;
  const failures = fresh ? 1 : row.failures + 1;
  const lock = lockFor(failures, free);
  const values = {
    failures,
    firstFailureAt: fresh ? now : row.firstFailureAt,
    lockedUntil: lock === null ? null : now + lock,
  };
  await tx.q
    .insert(loginAttempts)
    .values({ key, ...values })
    .onConflictDoUpdate({ target: loginAttempts.key, set: values });
}

/**
 * Forgets the failures of a pair after a successful sign-in. The account-wide budget stays: one
 * person signing in says nothing about the guesses made from elsewhere.
 */
export async function clearFailures(store: Store, username: string, address: string): Promise<void> {
  await store.q.delete(store.t.loginAttempts).where(eq(store.t.loginAttempts.key, keysOf(username, address).pair));
}
