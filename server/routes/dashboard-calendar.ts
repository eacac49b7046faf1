import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { idParams } from '../../shared/schemas/route-params.ts';
import { closureFormSchema, reasonFormSchema } from '../../shared/schemas/dashboard-programme.ts';
import { requireCsrf } from '../accounts/page-auth.ts';
import { assertRole, listScope } from '../access/scope.ts';
import { userActor } from '../audit/audit.ts';
import type { AppEnv } from '../http/app-env.ts';
import { DomainError } from '../errors.ts';
import { keepForm, type FormProblem } from '../http/form-problem.ts';
import { validate } from '../http/validate.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { addClosure, listClosures, removeClosure } from '../programme/closures.ts';
import { CalendarPage, closureColumns, type ClosureRow } from '../views/calendar-page.tsx';
import { exportFormatOf, exportPaths, tableExport } from '../views/table.tsx';
import { divisionContains } from '../divisions/containment.ts';

const noticeQuery = z.object({
  added: z.coerce.number().int().min(1).optional(),
  removed: z.coerce.number().int().min(1).optional(),
});

/** Bureau or county officer; the county an officer is confined to (null: the whole prefecture). */
function officerScope(c: Context<AppEnv>): string | null {
  assertRole(c.get('user'), 'bureau', 'county');
  return listScope(c.get('user')).divisionCode;
}

/** A prefecture-wide closure is the bureau's to change; a county's, the bureau's or that county's officers'. */
function assertMayChange(scope: string | null, closureCounty: string | null): void {
  if (scope === null || (closureCounty !== null && divisionContains(scope, closureCounty))) return;
  throw new DomainError(
    'forbidden',
    'out_of_scope',
    closureCounty === null
      ? 'a closure for every county is set by the prefecture bureau'
      : `your account is confined to county ${scope}`,
  );
}

/** Closures the reader sees: every prefecture-wide one, and each county's for that county's officers and the bureau. */
async function rowsFor(c: Context<AppEnv>): Promise<ClosureRow[]> {
  const scope = officerScope(c);
  const tree = await deploymentTree(c.get('store'));
  const names = new Map(tree.counties(tree.root.code).map((d) => [d.code, c.get('locale').divisionName(d)]));
  return (await listClosures(c.get('store')))
    .filter((x) => scope === null || x.countyCode === null || divisionContains(scope, x.countyCode))
    .map((x) => ({
      ...x,
      countyName: x.countyCode === null ? null : (names.get(x.countyCode) ?? x.countyCode),
      removable: scope === null || (x.countyCode !== null && divisionContains(scope, x.countyCode)),
    }));
}

async function page(c: Context<AppEnv>, notice: string | null, problem: FormProblem | null) {
  const scope = officerScope(c);
  const tree = await deploymentTree(c.get('store'));
  const counties = tree
    .counties(tree.root.code)
    .filter((d) => scope === null || divisionContains(scope, d.code))
    .map((d) => ({ code: d.code, name: d.name, pinyin: d.pinyin }));
  return CalendarPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path,
    rows: await rowsFor(c),
    counties,
    wholePrefecture: scope === null,
    notice,
    problem,
  });
}

// A refused add or remove comes back on the calendar page with the problem and what was typed.
const onCalendarPage = keepForm((c, problem) => page(c, null, problem));

/** The school calendar: list, export, add and remove closures (audited, with a reason). */
export const dashboardCalendarRoutes = new Hono<AppEnv>()
  .get('/calendar', validate('query', noticeQuery), async (c) => {
    const q = c.req.valid('query');
    const l = c.get('locale');
    return c.html(
      page(
        c,
        q.added
          ? l.fill('calendar.added', { id: q.added })
          : q.removed
            ? l.fill('calendar.removed', { id: q.removed })
            : null,
        null,
      ),
    );
  })
  .on('GET', exportPaths('/calendar'), async (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'closures',
      closureColumns(c.get('locale')),
      await rowsFor(c),
    ),
  )
  .post('/calendar', requireCsrf, onCalendarPage, validate('form', closureFormSchema), async (c) => {
    const scope = officerScope(c);
    const { _csrf, reason, ...closure } = c.req.valid('form');
    assertMayChange(scope, closure.countyCode ?? null);
    const added = await addClosure(c.get('store'), closure, c.get('clock')(), {
      actor: userActor(c.get('user').username),
      reason,
    });
    c.get('logger').info({ closureId: added.id, by: c.get('user').username }, 'closure added from the dashboard');
    return c.redirect(`/calendar?added=${added.id}`, 303);
  })
  .post(
    '/calendar/:id/remove',
    requireCsrf,
    onCalendarPage,
    validate('param', idParams),
    validate('form', reasonFormSchema),
    async (c) => {
      const scope = officerScope(c);
      const { id } = c.req.valid('param');
      const closure = (await listClosures(c.get('store'))).find((x) => x.id === id);
      if (!closure)
        throw new DomainError('not-found', 'closure_unknown', `no closure ${id}`, undefined, { params: { id } });
      assertMayChange(scope, closure.countyCode);
      await removeClosure(c.get('store'), id, c.get('clock')(), {
        actor: userActor(c.get('user').username),
        reason: c.req.valid('form').reason,
      });
      c.get('logger').info({ closureId: id, by: c.get('user').username }, 'closure removed from the dashboard');
      return c.redirect(`/calendar?removed=${id}`, 303);
    },
  );
