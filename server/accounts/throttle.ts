import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { loginAttempts } from '../db/schema.ts';

/*
 * Login throttling per username + client address: after MAX_FAILURES wrong passwords within WINDOW_MS
 * the pair is locked for LOCK_MS. Keyed on the pair, so a guesser elsewhere cannot lock a county
 * officer out of their own office, and a guesser here cannot try one password across many names fast.
 */
export const MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;

// Hashed: a password typed into the name field (a common slip) must not sit in the database either.
const keyOf = (username: string, address: string) => createHash('sha256').update(`${username.toLowerCase()}|${address}`, 'utf8').digest('hex');

/** When the pair is locked, the instant the lock ends; otherwise null. */
export function lockedUntil(db: Db, username: string, address: string, now: number): number | null {
  const row = db.select().from(loginAttempts).where(eq(loginAttempts.key, keyOf(username, address))).get();
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}

/** Counts a failed sign-in; locks the pair when it reaches the limit within the window. */
export function recordFailure(db: Db, username: string, address: string, now: number): void {
  const key = keyOf(username, address);
  const row = db.select().from(loginAttempts).where(eq(loginAttempts.key, key)).get();
  const fresh = !row || now - row.firstFailureAt > WINDOW_MS || (row.lockedUntil !== null && row.lockedUntil <= now);
  const failures = fresh ? 1 : row.failures + 1;
  const values = { failures, firstFailureAt: fresh ? now : row.firstFailureAt, lockedUntil: failures >= MAX_FAILURES ? now + LOCK_MS : null };
  db.insert(loginAttempts).values({ key, ...values }).onConflictDoUpdate({ target: loginAttempts.key, set: values }).run();
}

/** Forgets the failures of a pair after a successful sign-in. */
export function clearFailures(db: Db, username: string, address: string): void {
  db.delete(loginAttempts).where(eq(loginAttempts.key, keyOf(username, address))).run();
}
