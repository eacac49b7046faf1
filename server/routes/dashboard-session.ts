import fs from 'node:fs';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { csrfOnlyFormSchema, loginFormSchema } from '../../shared/schemas/dashboard.ts';
import { firstRunSteps } from '../accounts/first-run.ts';
import { signIn } from '../accounts/login.ts';
import { cookieOptions, pageContext, requireCsrf } from '../accounts/page-auth.ts';
import { PRELOGIN_COOKIE } from '../accounts/csrf.ts';
import { clientAddress, cookiePrefix } from '../http/proxy.ts';
import { findUserForLogin } from '../accounts/users.ts';
import { endSession, MAX_AGE_MS, SESSION_COOKIE } from '../accounts/sessions.ts';
import type { AppEnv } from '../http/app-env.ts';
import { DomainError } from '../errors.ts';
import { safeLocalPath } from '../http/local-path.ts';
import { validate } from '../http/validate.ts';
import { pageErrorHandler } from '../views/error-page.tsx';
import { LANG_COOKIE, langs } from '../i18n/locale.ts';
import { LoginPage } from '../views/login-page.tsx';

const stylesheet = fs.readFileSync(new URL('../views/app.css', import.meta.url), 'utf8');

/** Sign-in and sign-out, the language switch and the stylesheet. */
export const dashboardSessionRoutes = new Hono<AppEnv>()
  .get('/assets/app.css', (c) =>
    c.body(stylesheet, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=300' }),
  )
  .get('/login', pageContext, validate('query', z.object({ next: z.string().max(500).optional() })), async (c) => {
    const next = safeLocalPath(c.req.valid('query').next);
    if (c.get('viewer').user) return c.redirect(next, 302);
    const firstRun = await firstRunSteps(c.get('store'), c.get('dataDir'));
    return c.html(LoginPage({ locale: c.get('locale'), viewer: c.get('viewer'), next, problem: null, firstRun }));
  })
  .post('/login', pageContext, requireCsrf, validate('form', loginFormSchema), async (c) => {
    const form = c.req.valid('form');
    const next = safeLocalPath(form.next);
    try {
      const { session } = await signIn(
        c.get('store'),
        { username: form.username, password: form.password, address: clientAddress(c) },
        c.get('clock')(),
      );
      setCookie(c, SESSION_COOKIE, session.id, cookieOptions(c, MAX_AGE_MS / 1000));
      deleteCookie(c, PRELOGIN_COOKIE, cookieOptions(c));
      c.get('logger').info({ username: form.username.trim().toLowerCase() }, 'signed in');
      return c.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.failure !== 'unauthorized') throw error;
      const locked = error.code === 'login_locked';
      // A name that is no account is often a password typed into the wrong field: it never goes into the log.
      const username = form.username.trim().toLowerCase();
      c.get('logger').warn(
        { username: (await findUserForLogin(c.get('store'), username)) ? username : '[no such account]', locked },
        'sign-in refused',
      );
      return c.html(
        LoginPage({
          locale: c.get('locale'),
          viewer: c.get('viewer'),
          next,
          problem: locked ? 'login.locked' : 'login.failed',
          firstRun: await firstRunSteps(c.get('store'), c.get('dataDir')),
          username: form.username,
        }),
        locked ? 429 : 401,
      );
    }
  })
  .post('/logout', pageContext, requireCsrf, validate('form', csrfOnlyFormSchema), async (c) => {
    const sessionId = getCookie(c, SESSION_COOKIE, cookiePrefix(c));
    if (sessionId) await endSession(c.get('store'), sessionId);
    deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
    return c.redirect('/login', 303);
  })
  .get(
    '/lang/:lang',
    validate('param', z.object({ lang: z.enum(langs) })),
    validate('query', z.object({ back: z.string().max(1000).optional() })),
    (c) => {
      setCookie(c, LANG_COOKIE, c.req.valid('param').lang, cookieOptions(c, 365 * 86_400));
      return c.redirect(safeLocalPath(c.req.valid('query').back), 302);
    },
  );
dashboardSessionRoutes.onError(pageErrorHandler);
