import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { idParams } from '../../shared/schemas/route-params.ts';
import { apiTokenFormSchema, csrfOnlyFormSchema, userFormSchema } from '../../shared/schemas/dashboard.ts';
import { passwordResetFormSchema } from '../../shared/schemas/dashboard-programme.ts';
import { listApiTokens } from '../auth/api-token-read.ts';
import { requireCsrf } from '../accounts/page-auth.ts';
import { assertRootBureau } from '../access/scope.ts';
import { createUser, disableUser, enableUser, listUsers, resetPassword } from '../accounts/users.ts';
import { userActor } from '../audit/audit.ts';
import type { AppEnv } from '../http/app-env.ts';
import { createApiToken, revokeApiToken } from '../auth/api-tokens.ts';
import { DomainError } from '../errors.ts';
import { keepForm, type FormProblem } from '../http/form-problem.ts';
import { validate } from '../http/validate.ts';
import { apiTokenColumns, ApiTokensPage, userColumns, UsersPage } from '../views/admin-pages.tsx';
import { exportFormatOf, exportPaths, tableExport } from '../views/table.tsx';

const requireBureau = createMiddleware<AppEnv>(async (c, next) => {
  assertRootBureau(c.get('user'));
  await next();
});
const bureauPage = [requireBureau] as const;
// A refused form on the users or API tokens page comes back on its page with the problem and what was typed.
const onUsersPage = keepForm((c, problem) => usersPage(c, null, problem));
const onTokensPage = keepForm((c, problem) => tokensPage(c, null, problem));

const doneQuery = z.object({ done: z.enum(['disabled', 'enabled', 'password', 'revoked']).optional() });
const noticeOf = (c: Context<AppEnv>, done: z.infer<typeof doneQuery>['done']) =>
  done ? c.get('locale').t(`admin.done.${done}`) : null;
const by = (c: Context<AppEnv>, reason: string) => ({ actor: userActor(c.get('user').username), reason });

async function usersPage(
  c: Context<AppEnv>,
  created: string | null,
  problem: FormProblem | null,
  notice: string | null = null,
) {
  return UsersPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path,
    users: await listUsers(c.get('store')),
    created,
    problem,
    notice,
  });
}

async function tokensPage(
  c: Context<AppEnv>,
  created: string | null,
  problem: FormProblem | null,
  notice: string | null = null,
) {
  return ApiTokensPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path,
    tokens: await listApiTokens(c.get('store')),
    created,
    problem,
    notice,
  });
}

/** The bureau acts on other accounts only: disabling your own would lock the prefecture out of its users page. */
function assertNotSelf(c: Context<AppEnv>, id: number): void {
  if (id === c.get('user').id)
    throw new DomainError(
      'invalid',
      'own_account',
      'you cannot disable or reset your own account here; ask another bureau user',
    );
}

/** The bureau manages dashboard users and API tokens here; no other role gets past requireBureau. */
export const dashboardAdminRoutes = new Hono<AppEnv>()
  .get('/admin/users', ...bureauPage, validate('query', doneQuery), (c) =>
    c.html(usersPage(c, null, null, noticeOf(c, c.req.valid('query').done))),
  )
  .on('GET', exportPaths('/admin/users'), ...bureauPage, async (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'users',
      userColumns(c.get('locale')),
      await listUsers(c.get('store')),
    ),
  )
  .post('/admin/users', ...bureauPage, requireCsrf, onUsersPage, validate('form', userFormSchema), async (c) => {
    const form = c.req.valid('form');
    const input = {
      username: form.username,
      password: form.password,
      role: form.role as 'bureau',
      divisionCode: form.countyCode,
      schoolCode: form.schoolCode,
    };
    const user = await createUser(c.get('store'), input, c.get('clock')(), {
      actor: userActor(c.get('user').username),
      reason: 'account created from the dashboard',
    });
    c.get('logger').info(
      { userId: user.id, role: user.role, by: c.get('user').username },
      'user created from the dashboard',
    );
    return c.html(usersPage(c, user.username, null), 201);
  })
  .post(
    '/admin/users/:id/disable',
    ...bureauPage,
    requireCsrf,
    onUsersPage,
    validate('param', idParams),
    validate('form', csrfOnlyFormSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      assertNotSelf(c, id);
      await disableUser(c.get('store'), id, c.get('clock')(), by(c, 'account disabled from the dashboard'));
      return c.redirect('/admin/users?done=disabled', 303);
    },
  )
  .post(
    '/admin/users/:id/enable',
    ...bureauPage,
    requireCsrf,
    onUsersPage,
    validate('param', idParams),
    validate('form', csrfOnlyFormSchema),
    async (c) => {
      await enableUser(
        c.get('store'),
        c.req.valid('param').id,
        c.get('clock')(),
        by(c, 'account enabled from the dashboard'),
      );
      return c.redirect('/admin/users?done=enabled', 303);
    },
  )
  .post(
    '/admin/users/:id/password',
    ...bureauPage,
    requireCsrf,
    onUsersPage,
    validate('param', idParams),
    validate('form', passwordResetFormSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      assertNotSelf(c, id);
      await resetPassword(
        c.get('store'),
        id,
        c.req.valid('form').password,
        c.get('clock')(),
        by(c, 'password reset from the dashboard'),
      );
      c.get('logger').info({ userId: id, by: c.get('user').username }, 'password reset from the dashboard');
      return c.redirect('/admin/users?done=password', 303);
    },
  )
  .get('/admin/api-tokens', ...bureauPage, validate('query', doneQuery), (c) =>
    c.html(tokensPage(c, null, null, noticeOf(c, c.req.valid('query').done))),
  )
  .post(
    '/admin/api-tokens/:id/revoke',
    ...bureauPage,
    requireCsrf,
    onTokensPage,
    validate('param', idParams),
    validate('form', csrfOnlyFormSchema),
    async (c) => {
      const { id } = c.req.valid('param');
      if (
        !(await revokeApiToken(c.get('store'), id, c.get('clock')(), by(c, 'API token revoked from the dashboard')))
      ) {
        throw new DomainError(
          'conflict',
          'api_token_revoked',
          `API token ${id} is unknown or already revoked`,
          undefined,
          {
            params: { id },
          },
        );
      }
      c.get('logger').info({ apiTokenId: id, by: c.get('user').username }, 'API token revoked from the dashboard');
      return c.redirect('/admin/api-tokens?done=revoked', 303);
    },
  )
  .on('GET', exportPaths('/admin/api-tokens'), ...bureauPage, async (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'api-tokens',
      apiTokenColumns(c.get('locale')),
      await listApiTokens(c.get('store')),
    ),
  )
  .post(
    '/admin/api-tokens',
    ...bureauPage,
    requireCsrf,
    onTokensPage,
    validate('form', apiTokenFormSchema),
    async (c) => {
      const form = c.req.valid('form');
      const created = await createApiToken(
        c.get('store'),
        { name: form.name, divisionCode: form.countyCode ?? null },
        c.get('clock')(),
        {
          actor: userActor(c.get('user').username),
          reason: 'API token issued from the dashboard',
        },
      );
      c.get('logger').info(
        { apiTokenId: created.id, by: c.get('user').username },
        'API token created from the dashboard',
      );
      return c.html(tokensPage(c, created.token, null), 201);
    },
  );
