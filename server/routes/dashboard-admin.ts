import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { apiTokenFormSchema, userFormSchema } from '../../shared/schemas/dashboard.ts';
import { listApiTokens } from '../accounts/api-token-read.ts';
import { pageContext, requireCsrf, requireUser } from '../accounts/page-auth.ts';
import { assertRole } from '../accounts/scope.ts';
import { createUser, listUsers } from '../accounts/users.ts';
import type { AppEnv } from '../app-env.ts';
import { createApiToken } from '../auth/api-tokens.ts';
import { DomainError } from '../errors.ts';
import { validate } from '../http/validate.ts';
import { apiTokenColumns, ApiTokensPage, userColumns, UsersPage } from '../views/admin-pages.tsx';
import { pageErrorHandler } from '../views/error-page.tsx';
import { exportFormatOf, exportPaths, tableExport } from '../views/table.tsx';

const requireBureau = createMiddleware<AppEnv>(async (c, next) => {
  assertRole(c.var.user, 'bureau');
  await next();
});
const bureauPage = [pageContext, requireUser, requireBureau] as const;

/** A domain error the person can fix by editing the form is shown on the form; others propagate. */
function formProblem(error: unknown): { message: string; status: 400 | 409 } {
  if (error instanceof DomainError && (error.failure === 'invalid' || error.failure === 'conflict')) return { message: error.message, status: error.failure === 'conflict' ? 409 : 400 };
  throw error;
}

function usersPage(c: Context<AppEnv>, created: string | null, problem: string | null) {
  return UsersPage({ locale: c.var.locale, viewer: c.var.viewer, path: c.req.path, users: listUsers(c.var.db), created, problem });
}

function tokensPage(c: Context<AppEnv>, created: string | null, problem: string | null) {
  return ApiTokensPage({ locale: c.var.locale, viewer: c.var.viewer, path: c.req.path, tokens: listApiTokens(c.var.db), created, problem });
}

/** The bureau manages dashboard users and API tokens here; no other role gets past requireBureau. */
export const dashboardAdminRoutes = new Hono<AppEnv>()
  .get('/admin/users', ...bureauPage, (c) => c.html(usersPage(c, null, null)))
  .on('GET', exportPaths('/admin/users'), ...bureauPage, (c) =>
    tableExport(c.var.locale, exportFormatOf(c.req.path), 'users', userColumns(c.var.locale), listUsers(c.var.db)),
  )
  .post('/admin/users', ...bureauPage, requireCsrf, validate('form', userFormSchema), async (c) => {
    const form = c.req.valid('form');
    try {
      const input = { username: form.username, password: form.password, role: form.role as 'bureau', countyCode: form.countyCode, schoolCode: form.schoolCode };
      const user = await createUser(c.var.db, input, c.var.clock(), { actor: `user:${c.var.user.username}`, reason: 'account created from the dashboard' });
      c.var.logger.info({ userId: user.id, role: user.role, by: c.var.user.username }, 'user created from the dashboard');
      return c.html(usersPage(c, user.username, null), 201);
    } catch (error) {
      const problem = formProblem(error);
      return c.html(usersPage(c, null, problem.message), problem.status);
    }
  })
  .get('/admin/api-tokens', ...bureauPage, (c) => c.html(tokensPage(c, null, null)))
  .on('GET', exportPaths('/admin/api-tokens'), ...bureauPage, (c) =>
    tableExport(c.var.locale, exportFormatOf(c.req.path), 'api-tokens', apiTokenColumns(c.var.locale), listApiTokens(c.var.db)),
  )
  .post('/admin/api-tokens', ...bureauPage, requireCsrf, validate('form', apiTokenFormSchema), (c) => {
    const form = c.req.valid('form');
    try {
      const created = createApiToken(c.var.db, { name: form.name, countyCode: form.countyCode ?? null }, c.var.clock(), { actor: `user:${c.var.user.username}`, reason: 'API token issued from the dashboard' });
      c.var.logger.info({ apiTokenId: created.id, by: c.var.user.username }, 'API token created from the dashboard');
      return c.html(tokensPage(c, created.token, null), 201);
    } catch (error) {
      const problem = formProblem(error);
      return c.html(tokensPage(c, null, problem.message), problem.status);
    }
  });
dashboardAdminRoutes.onError(pageErrorHandler);
