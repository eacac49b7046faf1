import type { Store } from '../db/store.ts';
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
  store: Store,
  input: { username: string; password: string; address: string },
  now: number,
): Promise<{ user: User; session: { id: string; expiresAt: number } }> {
  const username = input.username.trim().toLowerCase();
  const locked = await lockedUntil(store, username, input.address, now);
  if (locked !== null)
    throw new DomainError(
      'unauthorized',
      'login_locked',
      `too many failed sign-ins for this name; try again in ${Math.ceil((locked - now) / 1000)} s (after ${chinaIsoWithOffset(locked)})`,
    );
  const found = await findUserForLogin(store, username);
  const ok = await verifyPassword(input.password, found?.passwordHash ?? (await decoyHash()));
  if (!found || !ok) {
    await recordFailure(store, username, input.address, now);
    throw new DomainError('unauthorized', 'login_failed', 'wrong username or password');
  }
  await clearFailures(store, username, input.address);
  const { passwordHash: _hash, ...user } = found;
  return { user, session: await createSession(store, user.id, now) };
}
