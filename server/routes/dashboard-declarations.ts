import { Hono, type Context } from 'hono';
import { createFactory } from 'hono/factory';
import { idParams } from '../../shared/schemas/route-params.ts';
import {
  declarationFormSchema,
  declarationPageQuerySchema,
  withdrawalFormSchema,
} from '../../shared/schemas/dashboard-programme.ts';
import { requireCsrf } from '../accounts/page-auth.ts';
import { assertRole, listScope } from '../access/scope.ts';
import { userActor } from '../audit/audit.ts';
import type { AppEnv } from '../http/app-env.ts';
import { keepForm, type FormProblem } from '../http/form-problem.ts';
import { validate } from '../http/validate.ts';
import { readSchoolChoices } from '../coverage/registry-read.ts';
import { declareStatus, listDeclarations, withdrawDeclaration } from '../programme/declarations.ts';
import { DeclarationsPage, declarationColumns, type DeclarationRow } from '../views/declarations-page.tsx';
import { exportFormatOf, tableExport } from '../views/table.tsx';

type Filter = { status: 'active' | 'withdrawn' | 'all'; conflict?: boolean | undefined };

/** County officers and the bureau only; the county an officer is confined to (null: the whole prefecture). */
function officerScope(c: Context<AppEnv>): string | null {
  assertRole(c.get('user'), 'bureau', 'county');
  return listScope(c.get('user')).divisionCode;
}

/** Declarations in the officer's scope with their schools' names, as of now. */
async function rowsFor(c: Context<AppEnv>, filter: Filter): Promise<DeclarationRow[]> {
  const countyScope = officerScope(c);
  const choices = await readSchoolChoices(c.get('store'), listScope(c.get('user')));
  const names = new Map(choices.map((s) => [s.code, s.name]));
  const declarations = await listDeclarations(c.get('store'), { countyScope, ...filter }, c.get('clock')());
  return declarations.map((d) => ({
    ...d,
    schoolName: names.get(d.schoolCode) ?? d.schoolCode,
  }));
}

function filterQueryOf(filter: Filter): string {
  return new URLSearchParams({
    status: filter.status,
    ...(filter.conflict === undefined ? {} : { conflict: String(filter.conflict) }),
  }).toString();
}

async function page(
  c: Context<AppEnv>,
  filter: Filter,
  extra: { notice?: string | null; problem?: FormProblem | null; prefillSchool?: string | null } = {},
) {
  return DeclarationsPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path + new URL(c.req.url).search,
    rows: await rowsFor(c, filter),
    filter,
    filterQuery: filterQueryOf(filter),
    schools: await readSchoolChoices(c.get('store'), listScope(c.get('user'))),
    prefillSchool: extra.prefillSchool ?? null,
    notice: extra.notice ?? null,
    problem: extra.problem ?? null,
  });
}

/** The list as CSV or XLSX (the path says which), with the page's filters. */
const exportDeclarations = createFactory<AppEnv>().createHandlers(
  validate('query', declarationPageQuerySchema),
  async (c) => {
    const q = c.req.valid('query');
    const rows = await rowsFor(c, { status: q.status, conflict: q.conflict });
    return tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      `declarations-${q.status}`,
      declarationColumns(c.get('locale')),
      rows,
    );
  },
);

// A refused declaration or withdrawal comes back on the list (all statuses, so the row withdrawn is there too).
const onDeclarationsPage = keepForm((c, problem) => page(c, { status: 'all' }, { problem }));

/** Declared statuses: the list (with exports), declaring and withdrawing, for the bureau and county officers. */
export const dashboardDeclarationRoutes = new Hono<AppEnv>()
  .get('/declarations', validate('query', declarationPageQuerySchema), (c) => {
    const q = c.req.valid('query');
    const t = c.get('locale');
    const notice = q.declared
      ? t.fill('declarations.declared', { id: q.declared })
      : q.withdrawn
        ? t.fill('declarations.withdrawn', { id: q.withdrawn })
        : null;
    return c.html(page(c, { status: q.status, conflict: q.conflict }, { notice, prefillSchool: q.school ?? null }));
  })
  .get('/declarations.csv', ...exportDeclarations)
  .get('/declarations.xlsx', ...exportDeclarations)
  .post('/declarations', requireCsrf, onDeclarationsPage, validate('form', declarationFormSchema), async (c) => {
    const countyScope = officerScope(c);
    const { _csrf, ...request } = c.req.valid('form');
    const declaration = await declareStatus(
      c.get('store'),
      request,
      c.get('clock')(),
      { actor: userActor(c.get('user').username), reason: request.reason },
      countyScope,
    );
    c.get('logger').info(
      { declarationId: declaration.id, school: declaration.schoolCode, by: c.get('user').username },
      'status declared from the dashboard',
    );
    return c.redirect(`/declarations?declared=${declaration.id}`, 303);
  })
  .post(
    '/declarations/:id/withdraw',
    requireCsrf,
    onDeclarationsPage,
    validate('param', idParams),
    validate('form', withdrawalFormSchema),
    async (c) => {
      const countyScope = officerScope(c);
      const { id } = c.req.valid('param');
      await withdrawDeclaration(
        c.get('store'),
        id,
        c.get('clock')(),
        { actor: userActor(c.get('user').username), reason: c.req.valid('form').reason },
        countyScope,
      );
      c.get('logger').info(
        { declarationId: id, by: c.get('user').username },
        'declaration withdrawn from the dashboard',
      );
      return c.redirect(`/declarations?withdrawn=${id}&status=withdrawn`, 303);
    },
  );
