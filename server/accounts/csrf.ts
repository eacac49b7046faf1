import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * CSRF tokens are derived from a secret the browser holds in an HttpOnly cookie: the session id when
 * signed in (so the token is bound to the session and dies with it), otherwise a random pre-login
 * secret (so the login form is protected too, against login CSRF). A cross-site page can neither read
 * the cookie nor compute the token; SameSite=Lax is a second wall, not the only one.
 */
export const PRELOGIN_COOKIE = 'santong_prelogin';

/** A fresh pre-login secret for the cookie. */
export function newPreloginSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The token every form carries, derived from the cookie secret. */
export function csrfTokenFor(secret: string): string {
  return createHash('sha256').update(`santong-csrf:${secret}`, 'utf8').digest('base64url');
}

/** Whether a submitted token belongs to this secret (constant time). */
export function csrfTokenMatches(secret: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(secret));
  const actual = Buffer.from(submitted);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
