import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env.ts';
import { statement } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { cookiePrefix } from '../http/proxy.ts';
import { authenticateSession, SESSION_COOKIE } from '../accounts/sessions.ts';
import { authenticateApiToken } from './api-tokens.ts';
import { bearerSecret, hashSecret } from '../access/secrets.ts';

// Every report batch authenticates: the lookup is prepared once per connection, not rebuilt per request.
// A re-enrolled PC's previous key is accepted until the new key reports (decision 065); `awaitingNewKey`
// tells ingest that a report under the current key is that first report.
interface DeviceByKey {
  id: string;
  schoolCode: string;
  revokedAt: number | null;
  awaitingNewKey: number;
}
// `case when exists`: PostgreSQL's exists is a boolean, which a union with the 0 below cannot take.
const deviceByKeyHash = statement<DeviceByKey, [string, string]>(`select id, school_code as "schoolCode",
      revoked_at as "revokedAt",
      case when exists (select 1 from device_reenrollments r where r.device_id = devices.id and r.confirmed_at is null)
        then 1 else 0 end as "awaitingNewKey"
    from devices where key_hash = ?
    union all
    select d.id, d.school_code, d.revoked_at, 0
    from device_reenrollments r join devices d on d.id = r.device_id where r.previous_key_hash = ?`);

/**
 * Device key authentication for agent routes. Keys are looked up by their SHA-256: the stored hash is
 * the index key, so no secret is ever compared byte by byte against another secret.
 */
export const deviceAuth = createMiddleware<AppEnv>(async (c, next) => {
  const key = bearerSecret(c.req.header('authorization'));
  if (!key)
    throw new DomainError(
      'unauthorized',
      'device_key_missing',
      'send the device key as "Authorization: Bearer <deviceKey>"; enroll first to get one',
    );
  const keyHash = hashSecret(key);
  const device = await c.get('store').row(deviceByKeyHash, keyHash, keyHash);
  if (!device)
    throw new DomainError(
      'unauthorized',
      'device_key_invalid',
      'unknown device key; enroll this PC again with a token from your county office',
    );
  if (device.revokedAt !== null)
    throw new DomainError(
      'unauthorized',
      'device_key_revoked',
      'this device key was revoked; enroll this PC again with a new token',
    );
  c.set('device', { id: device.id, schoolCode: device.schoolCode, confirmsNewKey: device.awaitingNewKey === 1 });
  await next();
});

/**
 * Authentication for the bureau API: a bearer API token, or else (for reads) a dashboard session
 * cookie, so a signed-in person can open the JSON and CSV in the browser; sets the principal whose
 * scope routes enforce.
 */
export const apiAuth = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  // A session cookie counts for reads only: a cookie rides along on cross-site requests, so anything
  // that changes state over the API needs a bearer token (or a dashboard form with its CSRF token).
  const safe = c.req.method === 'GET' || c.req.method === 'HEAD';
  const sessionId = header === undefined && safe ? getCookie(c, SESSION_COOKIE, cookiePrefix(c)) : undefined;
  if (sessionId) {
    const user = await authenticateSession(c.get('store'), sessionId, c.get('clock')());
    if (!user)
      throw new DomainError('unauthorized', 'session_invalid', 'your session has ended; sign in again at /login');
    c.set('principal', {
      kind: 'user',
      id: user.id,
      name: user.username,
      role: user.role,
      divisionCode: user.divisionCode,
      schoolCode: user.schoolCode,
    });
    return next();
  }
  const secret = bearerSecret(header);
  if (!secret)
    throw new DomainError(
      'unauthorized',
      'token_missing',
      'send an API token as "Authorization: Bearer <token>" (santong api-token create)',
    );
  const principal = await authenticateApiToken(c.get('store'), secret);
  if (!principal) throw new DomainError('unauthorized', 'token_invalid', 'unknown or revoked API token');
  c.set('principal', principal);
  await next();
});
