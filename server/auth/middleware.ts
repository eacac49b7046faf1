import { createMiddleware } from 'hono/factory';
import { and, eq } from 'drizzle-orm';
import type { AppEnv } from '../app-env.ts';
import { devices } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { authenticateApiToken } from './api-tokens.ts';
import { hashSecret } from './secrets.ts';

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * Device key authentication for agent routes. Keys are looked up by their SHA-256: the stored hash is
 * the index key, so no secret is ever compared byte by byte against another secret.
 */
export const deviceAuth = createMiddleware<AppEnv>(async (c, next) => {
  const key = bearer(c.req.header('authorization'));
  if (!key) throw new DomainError('unauthorized', 'device_key_missing', 'send the device key as "Authorization: Bearer <deviceKey>"; enroll first to get one');
  const device = c.var.db
    .select({ id: devices.id, schoolCode: devices.schoolCode, revokedAt: devices.revokedAt })
    .from(devices)
    .where(and(eq(devices.keyHash, hashSecret(key))))
    .get();
  if (!device) throw new DomainError('unauthorized', 'device_key_invalid', 'unknown device key; enroll this PC again with a token from your county office');
  if (device.revokedAt !== null) throw new DomainError('unauthorized', 'device_key_revoked', 'this device key was revoked; enroll this PC again with a new token');
  c.set('device', { id: device.id, schoolCode: device.schoolCode });
  await next();
});

/** Bearer API token authentication for the bureau API; sets the principal whose scope routes enforce. */
export const apiAuth = createMiddleware<AppEnv>(async (c, next) => {
  const secret = bearer(c.req.header('authorization'));
  if (!secret) throw new DomainError('unauthorized', 'token_missing', 'send an API token as "Authorization: Bearer <token>" (santong api-token create)');
  const principal = authenticateApiToken(c.var.db, secret);
  if (!principal) throw new DomainError('unauthorized', 'token_invalid', 'unknown or revoked API token');
  c.set('principal', principal);
  await next();
});
