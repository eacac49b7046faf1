import type { Db } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';
import { clearFailures, lockedUntil, recordFailure } from './throttle.ts';
import type { User } from '../access/principals.ts';
import { findUserForLogin } from './users.ts';
import { chinaIsoWithOffset } from '../../shared/time/china-time-text.ts';

/**
 * Signs a user in: refuses while the name must wait (throttle.ts: a minute at most), checks the password (against
 * a decoy hash when the name is unknown, so both cases take as long), counts failures, and starts a
 * session on success. Errors never say whether the username exists.
 */
export async function signIn(
  db: Db,
  input: { username: string; password: string; address: string },
  now: number,
): Promise<{ user: User; session: { id: string; expiresAt: number } }> {
  const username = input.username.trim().toLowerCase();
  const locked = lockedUntil(db, username, input.address, now);
  if (locked !== null)
    throw new DomainError(
      'unauthorized',
      'login_locked',
      `too many failed sign-ins for this name; try again in ${Math.ceil((locked - now) / 1000)} s (after ${chinaIsoWithOffset(locked)})`,
    );
  const found = findUserForLogin(db, username);
  const ok = await verifyPassword(input.password, found?.passwordHash ?? (await decoyHash()));
  if (!found || !ok) {
    recordFailure(db, username, input.address, now);
    throw new DomainError('unauthorized', 'login_failed', 'wrong username or password');
  }
  clearFailures(db, username, input.address);
  const { passwordHash: _hash, ...user } = found;
  return { user, session: createSession(db, user.id, now) };
}
