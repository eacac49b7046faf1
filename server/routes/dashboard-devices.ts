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

/** The device lists in the user's scope, as of now. */
function lists(c: Context<AppEnv>) {
  const now = c.get('clock')();
  const scope = listScope(c.get('user'));
  return {
    attention: readAttentionDevices(c.get('db'), scope, now),
    conflicts: readHardwareConflicts(c.get('db'), scope),
    reenrollments: readReenrollments(c.get('db'), scope, now),
  };
}

function page(c: Context<AppEnv>, revoked: boolean, problem: FormProblem | null) {
  return DevicesPage({
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path,
    ...lists(c),
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
  .on('GET', exportPaths('/devices/attention'), (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'devices-attention',
      attentionColumns(c.get('locale')),
      lists(c).attention,
    ),
  )
  .on('GET', exportPaths('/devices/conflicts'), (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'devices-conflicts',
      conflictColumns(c.get('locale')),
      lists(c).conflicts,
    ),
  )
  .on('GET', exportPaths('/devices/reenrollments'), (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'devices-reenrollments',
      reenrollmentColumns(c.get('locale')),
      lists(c).reenrollments,
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
      const school = findDeviceSchool(c.get('db'), id);
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
