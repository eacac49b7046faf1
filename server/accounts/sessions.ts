import { randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import { hashSecret } from '../access/secrets.ts';
import type { Db } from '../db/client.ts';
import { sessions, users } from '../db/schema.ts';
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
export function createSession(db: Db, userId: number, now: number): { id: string; expiresAt: number } {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = now + MAX_AGE_MS;
  db.insert(sessions)
    .values({ idHash: hashSecret(id), userId, createdAt: now, lastSeenAt: now, expiresAt })
    .run();
  return { id, expiresAt };
}

/** The user of a live session (and slides its idle timer), or null for an unknown, idle or expired one. */
export function authenticateSession(db: Db, id: string, now: number): User | null {
  const row = db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, hashSecret(id)), gt(sessions.expiresAt, now)))
    .get();
  if (!row || row.user.disabledAt !== null || now - row.session.lastSeenAt > IDLE_MS) return null;
  if (now - row.session.lastSeenAt > TOUCH_AFTER_MS)
    db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, row.session.idHash)).run();
  const u = row.user;
  return { id: u.id, username: u.username, role: u.role, divisionCode: u.divisionCode, schoolCode: u.schoolCode };
}

/** Ends a session (sign-out). */
export function endSession(db: Db, id: string): void {
  db.delete(sessions)
    .where(eq(sessions.idHash, hashSecret(id)))
    .run();
}
