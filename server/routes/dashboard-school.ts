import { Hono, type Context } from 'hono';
import { createFactory } from 'hono/factory';
import { schoolParams } from '../../shared/schemas/route-params.ts';
import { assertCanSeeSchool } from '../access/scope.ts';
import type { AppEnv } from '../http/app-env.ts';
import { readBandwidthHistory } from '../coverage/bandwidth-history.ts';
import { readSchool } from '../coverage/read.ts';
import { validate } from '../http/validate.ts';
import { currentPlan } from '../plan/current.ts';
import { listDeclarations } from '../programme/declarations.ts';
import { trustedReleaseKeys } from '../releases/release-keys.ts';
import { agentOnOffer } from '../releases/agent-downloads.ts';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import { classroomColumns, deviceColumns, SchoolPage } from '../views/school-page.tsx';
import { exportFormatOf, tableExport } from '../views/table.tsx';
import { trailTo } from './dashboard-trail.ts';

/** The school as of now, if the signed-in user may see it (404 unknown, 403 out of scope). */
async function schoolInScope(c: Context<AppEnv>, code: string) {
  const now = c.get('clock')();
  const detail = await readSchool(c.get('store'), code, now);
  assertCanSeeSchool(c.get('user'), { code, countyCode: detail.school.county.code });
  return { detail, now };
}

const factory = createFactory<AppEnv>();

/** The classroom table as CSV or XLSX (the path says which). */
const exportClassrooms = factory.createHandlers(validate('param', schoolParams), async (c) => {
  const { code } = c.req.valid('param');
  const { detail } = await schoolInScope(c, code);
  return tableExport(
    c.get('locale'),
    exportFormatOf(c.req.path),
    `classrooms-${code}`,
    classroomColumns(c.get('locale')),
    detail.classrooms,
  );
});

/** The device table as CSV or XLSX. */
const exportDevices = factory.createHandlers(validate('param', schoolParams), async (c) => {
  const { code } = c.req.valid('param');
  const { detail } = await schoolInScope(c, code);
  return tableExport(
    c.get('locale'),
    exportFormatOf(c.req.path),
    `devices-${code}`,
    deviceColumns(c.get('locale')),
    detail.devices,
  );
});

/** A school's page and its classroom and device exports. */
export const dashboardSchoolRoutes = new Hono<AppEnv>()
  .get('/schools/:code', validate('param', schoolParams), async (c) => {
    const { detail, now } = await schoolInScope(c, c.req.valid('param').code);
    return c.html(
      SchoolPage({
        locale: c.get('locale'),
        viewer: c.get('viewer'),
        path: c.req.path,
        detail,
        rules: (await currentPlan(c.get('store'))).coverage,
        history: await readBandwidthHistory(c.get('store'), detail.school.code, now),
        serverUrl: c.get('publicUrl') ?? new URL(c.req.url).origin,
        publicUrlSet: c.get('publicUrl') !== undefined,
        onOffer: await agentOnOffer(c.get('store'), c.get('agentDownloadDir')),
        releaseKeyFingerprints: (await trustedReleaseKeys(c.get('store'))).map(releaseKeyFingerprint),
        declarations: await listDeclarations(
          c.get('store'),
          { countyScope: null, status: 'all', schoolCode: detail.school.code },
          now,
        ),
        canDeclare: c.get('user').role !== 'school',
        ...(await trailTo(c.get('store'), c.get('user'), detail.school.county.code)),
      }),
    );
  })
  .get('/schools/:code/classrooms.csv', ...exportClassrooms)
  .get('/schools/:code/classrooms.xlsx', ...exportClassrooms)
  .get('/schools/:code/devices.csv', ...exportDevices)
  .get('/schools/:code/devices.xlsx', ...exportDevices);
