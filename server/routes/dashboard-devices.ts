import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { csrfOnlyFormSchema } from '../../shared/schemas/dashboard.ts';
import { requireCsrf } from '../accounts/page-auth.ts';
import { assertCanSeeSchool, assertRole, listScope } from '../access/scope.ts';
import { userActor } from '../audit/audit.ts';
import type { AppEnv } from '../http/app-env.ts';
import {
  findDeviceSchool,
  readAttentionDevices,
  readHardwareConflicts,
  readReenrollments,
} from '../coverage/devices-read.ts';
import { revokeDevice } from '../enrollment/enroll.ts';
import { DomainError } from '../errors.ts';
import { keepForm, type FormProblem } from '../http/form-problem.ts';
import { validate } from '../http/validate.ts';
import { attentionColumns, conflictColumns, DevicesPage, reenrollmentColumns } from '../views/devices-page.tsx';
import { exportFormatOf, exportPaths, tableExport } from '../views/table.tsx';

/** Each device list in the user's scope, as of now. */
const lists = {
  attention: (c: Context<AppEnv>) => readAttentionDevices(c.get('store'), listScope(c.get('user')), c.get('clock')()),
  conflicts: (c: Context<AppEnv>) => readHardwareConflicts(c.get('store'), listScope(c.get('user'))),
  reenrollments: (c: Context<AppEnv>) => readReenrollments(c.get('store'), listScope(c.get('user')), c.get('clock')()),
};

async function page(c: Context<AppEnv>, revoked: boolean, problem: FormProblem | null) {
  return DevicesPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path,
    attention: await lists.attention(c),
    conflicts: await lists.conflicts(c),
    reenrollments: await lists.reenrollments(c),
    canRevoke: c.get('user').role !== 'school',
    revoked,
    problem,
  });
}

/** Silent devices, hardware conflicts and re-enrolled PCs in scope; county officers and the bureau can revoke a key. */
export const dashboardDevicesRoutes = new Hono<AppEnv>()
  .get('/devices', validate('query', z.object({ revoked: z.literal('1').optional() })), (c) =>
    c.html(page(c, c.req.valid('query').revoked === '1', null)),
  )
  .on('GET', exportPaths('/devices/attention'), async (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'devices-attention',
      attentionColumns(c.get('locale')),
      await lists.attention(c),
    ),
  )
  .on('GET', exportPaths('/devices/conflicts'), async (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'devices-conflicts',
      conflictColumns(c.get('locale')),
      await lists.conflicts(c),
    ),
  )
  .on('GET', exportPaths('/devices/reenrollments'), async (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'devices-reenrollments',
      reenrollmentColumns(c.get('locale')),
      await lists.reenrollments(c),
    ),
  )
  .post(
    '/devices/:id/revoke',
    requireCsrf,
    keepForm((c, problem) => {
      assertRole(c.get('user'), 'bureau', 'county');
      return page(c, false, problem);
    }),
    validate('param', z.object({ id: z.string().min(1).max(64) })),
    validate('form', csrfOnlyFormSchema),
    async (c) => {
      assertRole(c.get('user'), 'bureau', 'county');
      const { id } = c.req.valid('param');
      const school = await findDeviceSchool(c.get('store'), id);
      if (!school)
        throw new DomainError('not-found', 'device_unknown', `no device ${id}`, undefined, { params: { id } });
      assertCanSeeSchool(c.get('user'), school);
      await revokeDevice(c.get('store'), id, c.get('clock')(), {
        actor: userActor(c.get('user').username),
        reason: 'device key revoked from the dashboard',
      });
      c.get('logger').info(
        { deviceId: id, school: school.code, by: c.get('user').username },
        'device revoked from the dashboard',
      );
      return c.redirect('/devices?revoked=1', 303);
    },
  );
