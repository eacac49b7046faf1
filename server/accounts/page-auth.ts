import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env.ts';
import { DomainError } from '../errors.ts';
import { LANG_COOKIE, langFrom, localeFor } from '../i18n/locale.ts';
import { csrfTokenFor, csrfTokenMatches, newPreloginSecret, PRELOGIN_COOKIE } from './csrf.ts';
import { cookiePrefix, requestIsHttps } from '../http/proxy.ts';
import { authenticateSession, SESSION_COOKIE } from './sessions.ts';

/** Cookie attributes for every dashboard cookie: HttpOnly, SameSite=Lax, Secure when served over HTTPS (behind a trusted proxy: as it says). */
export function cookieOptions(c: Context<AppEnv>, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: c.get('httpsOnly') === true || requestIsHttps(c),
    prefix: cookiePrefix(c),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

/**
 * Every dashboard route starts here: language from its cookie, the user from the session cookie, and
 * the secret behind CSRF tokens (the session id, or a pre-login secret set now for the login form).
 */
export const pageContext = createMiddleware<AppEnv>(async (c, next) => {
  c.set('locale', localeFor(langFrom(getCookie(c, LANG_COOKIE, cookiePrefix(c)))));
  const sessionId = getCookie(c, SESSION_COOKIE, cookiePrefix(c));
  const user = sessionId ? await authenticateSession(c.get('store'), sessionId, c.get('clock')()) : null;
  let secret = user ? sessionId! : getCookie(c, PRELOGIN_COOKIE, cookiePrefix(c));
  if (!secret) {
    secret = newPreloginSecret();
    setCookie(c, PRELOGIN_COOKIE, secret, cookieOptions(c));
  }
  c.set('viewer', { user, csrfSecret: secret, csrfToken: csrfTokenFor(secret) });
  // Pages and exports carry scoped figures: no cache may keep them (cache-control: no-store, server/http/security-headers.ts).
  await next();
});

/** Sends anonymous visitors to the login page (back here afterwards); sets `user` for the handler. */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.get('viewer').user;
  if (!user) {
    const url = new URL(c.req.url);
    const back = c.req.method === 'GET' ? url.pathname + url.search : '/';
    return c.redirect(`/login?next=${encodeURIComponent(back)}`, 302);
  }
  c.set('user', user);
  await next();
});

/** Refuses a form post whose CSRF token does not belong to this browser's session (403). */
export const requireCsrf = createMiddleware<AppEnv>(async (c, next) => {
  const form = await c.req.parseBody();
  if (!csrfTokenMatches(c.get('viewer').csrfSecret, form._csrf)) {
    throw new DomainError(
      'forbidden',
      'csrf_invalid',
      'the form has expired or did not come from this site; reload the page and try again',
    );
  }
  await next();
});
