import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device keys, enrollment tokens and API tokens: 256 random bits, shown once, stored as SHA-256.
 * A prefix tells a person which kind of secret they are holding (and lets secret scanners find leaks).
 */
export type SecretKind = 'enrollment' | 'device' | 'api';
const prefixes: Record<SecretKind, string> = { enrollment: 'ste_', device: 'std_', api: 'sta_' };

export function generateSecret(kind: SecretKind): string {
  return prefixes[kind] + randomBytes(32).toString('base64url');
}

/** The secret of an `Authorization: Bearer SECRET` header, or null when the header is absent or of another scheme. */
export function bearerSecret(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** The SHA-256 hex digest under which a secret is stored and looked up. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
