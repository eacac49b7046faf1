import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { idParams } from '../../shared/schemas/route-params.ts';
import { inspectionDrawFormSchema, inspectionResultFormSchema } from '../../shared/schemas/dashboard-programme.ts';
import { requireCsrf } from '../accounts/page-auth.ts';
import { assertRole, assertRootBureau, listScope } from '../access/scope.ts';
import { userActor } from '../audit/audit.ts';
import type { AppEnv } from '../http/app-env.ts';
import { keepForm, type FormProblem } from '../http/form-problem.ts';
import { validate } from '../http/validate.ts';
import { inspectionInScope } from '../programme/inspection-checklist.ts';
import { listInspections } from '../programme/inspection-list.ts';
import { drawInspection, readInspection, recordInspectionResult } from '../programme/inspections.ts';
import { InspectionPage, InspectionsPage } from '../views/inspections-page.tsx';

/** Bureau or county officer; the county an officer is confined to (null: the whole prefecture). */
function officerScope(c: Context<AppEnv>): string | null {
  assertRole(c.get('user'), 'bureau', 'county');
  return listScope(c.get('user')).divisionCode;
}

async function listPage(c: Context<AppEnv>, problem: FormProblem | null) {
  const scope = officerScope(c);
  return InspectionsPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path,
    rows: await listInspections(c.get('store'), scope),
    canDraw: scope === null,
    problem,
  });
}

async function inspectionPage(c: Context<AppEnv>, id: number, notice: string | null, problem: FormProblem | null) {
  const scope = officerScope(c);
  return InspectionPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path,
    inspection: inspectionInScope(await readInspection(c.get('store'), id), scope),
    canRecord: true,
    notice,
    problem,
  });
}

/**
 * Spot checks in the dashboard: the bureau draws, everyone in scope sees, county officers (and the bureau)
 * record findings.
 */
export const dashboardInspectionRoutes = new Hono<AppEnv>()
  .get('/inspections', (c) => c.html(listPage(c, null)))
  .post(
    '/inspections',
    requireCsrf,
    keepForm((c, problem) => listPage(c, problem)),
    validate('form', inspectionDrawFormSchema),
    async (c) => {
      assertRootBureau(c.get('user'));
      const { perCounty, seed } = c.req.valid('form');
      const now = c.get('clock')();
      const inspection = await drawInspection(c.get('store'), { perCounty, seed }, now, {
        actor: userActor(c.get('user').username),
        reason: `inspection drawn with seed ${seed}`,
      });
      c.get('logger').info(
        { inspectionId: inspection.id, by: c.get('user').username },
        'inspection drawn from the dashboard',
      );
      return c.redirect(`/inspections/${inspection.id}`, 303);
    },
  )
  .get(
    '/inspections/:id',
    validate('param', idParams),
    validate('query', z.object({ recorded: z.string().max(64).optional() })),
    (c) => {
      const recorded = c.req.valid('query').recorded;
      const notice = recorded ? c.get('locale').fill('inspections.recorded', { school: recorded }) : null;
      return c.html(inspectionPage(c, c.req.valid('param').id, notice, null));
    },
  )
  .post(
    '/inspections/:id/results',
    requireCsrf,
    validate('param', idParams),
    // The findings form's page is the inspection's own: the id is checked first so there is one to show.
    keepForm((c, problem) => inspectionPage(c, Number(c.req.param('id')), null, problem)),
    validate('form', inspectionResultFormSchema),
    async (c) => {
      const scope = officerScope(c);
      const { id } = c.req.valid('param');
      const { _csrf, ...finding } = c.req.valid('form');
      const reason =
        finding.result === 'confirmed'
          ? 'inspection confirmed the recorded status'
          : `inspection found a discrepancy: ${finding.note}`;
      await recordInspectionResult(
        c.get('store'),
        id,
        finding,
        c.get('clock')(),
        { actor: userActor(c.get('user').username), reason },
        scope,
      );
      c.get('logger').info(
        { inspectionId: id, school: finding.schoolCode, by: c.get('user').username },
        'inspection finding recorded from the dashboard',
      );
      return c.redirect(`/inspections/${id}?recorded=${encodeURIComponent(finding.schoolCode)}`, 303);
    },
  );
