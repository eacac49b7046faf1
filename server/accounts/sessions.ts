import { randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import { hashSecret } from '../access/secrets.ts';
import type { Store } from '../db/store.ts';
import type { User } from '../access/principals.ts';
import { DAY_MS, HOUR_MS } from '../../shared/time/china-time.ts';

/*
 * A session is a 256-bit random id in an HttpOnly cookie; the database holds only its SHA-256, so a
 * copy of the database cannot be turned into signed-in browsers. A session ends after IDLE_MS without
 * a request or MAX_AGE_MS after sign-in, whichever comes first.
 */
export const SESSION_COOKIE = 'santong_session';
export const IDLE_MS = 12 * HOUR_MS;
export const MAX_AGE_MS = 7 * DAY_MS;
// Sliding the idle timer costs a write; once every few minutes per session is plenty.
const TOUCH_AFTER_MS = 5 * 60_000;

/** Starts a session for a user; the returned id goes into the cookie and nowhere else. */
export async function createSession(
  store: Store,
  userId: number,
  now: number,
): Promise<{ id: string; expiresAt: number }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = now + MAX_AGE_MS;
  await store.q
    .insert(store.t.sessions)
    .values({ idHash: hashSecret(id), userId, createdAt: now, lastSeenAt: now, expiresAt });
  return { id, expiresAt };
}

/** The user of a live session (and slides its idle timer), or null for an unknown, idle or expired one. */
export async function authenticateSession(store: Store, id: string, now: number): Promise<User | null> {
  const { sessions, users } = store.t;
  const [row] = await store.q
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, hashSecret(id)), gt(sessions.expiresAt, now)))
    .limit(1);
  if (!row || row.user.disabledAt !== null || now - row.session.lastSeenAt > IDLE_MS) return null;
  if (now - row.session.lastSeenAt > TOUCH_AFTER_MS)
    await store.q.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, row.session.idHash));
  const u = row.user;
  return { id: u.id, username: u.username, role: u.role, divisionCode: u.divisionCode, schoolCode: u.schoolCode };
}

/** Ends a session (sign-out). */
export async function endSession(store: Store, id: string): Promise<void> {
  await store.q.delete(store.t.sessions).where(eq(store.t.sessions.idHash, hashSecret(id)));
}
