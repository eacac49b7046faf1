import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { schoolParams } from '../../shared/schemas/route-params.ts';
import {
  classroomRowSchema,
  deviceRowSchema,
  formatQuerySchema,
  schoolDetailSchema,
  type SchoolDetail,
} from '../../shared/schemas/coverage.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import type { AppEnv } from '../http/app-env.ts';
import { assertSchoolInScope } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import { readSchool } from '../coverage/read.ts';
import { tableResponse, type TableColumn as CsvColumn } from '../http/table-response.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';

const classroomColumns: CsvColumn<SchoolDetail['classrooms'][number]>[] = [
  { header: 'code', value: (r) => r.code },
  { header: 'name', value: (r) => r.name },
  { header: 'equipped', value: (r) => r.equipped },
  { header: 'last_evidence_at', value: (r) => r.lastEvidenceAt, time: 'instant' },
  { header: 'declared_equipped', value: (r) => r.declaredEquipped },
  { header: 'equipped_kind', value: (r) => r.equippedKind },
];
const deviceColumns: CsvColumn<SchoolDetail['devices'][number]>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'hostname', value: (r) => r.hostname },
  { header: 'classroom', value: (r) => r.classroom },
  { header: 'state', value: (r) => r.state },
  { header: 'last_report_at', value: (r) => r.lastReportAt, time: 'instant' },
  { header: 'agent_version', value: (r) => r.agentVersion },
  { header: 'median_down_mbps', value: (r) => r.medianDownMbps },
  { header: 'median_up_mbps', value: (r) => r.medianUpMbps },
  { header: 'down_source', value: (r) => r.downSource },
  { header: 'flagged_samples', value: (r) => r.flaggedSamples },
  { header: 'flag_reasons', value: (r) => r.flagReasons.join(' ') },
  { header: 'enrolled_at', value: (r) => r.enrolledAt, time: 'instant' },
  { header: 'revoked_at', value: (r) => r.revokedAt, time: 'instant' },
  { header: 'hardware_conflict', value: (r) => r.hardwareConflict },
  { header: 'displays', value: (r) => JSON.stringify(r.displays) },
];

/** The school as of now, if the reader may see its county. */
async function schoolInScope(c: Context<AppEnv>, code: string): Promise<SchoolDetail> {
  const now = c.get('clock')();
  const detail = await readSchool(c.get('store'), code, now);
  assertSchoolInScope(c.get('principal'), detail.school);
  return detail;
}

export const schoolRoutes = new Hono<AppEnv>()
  .use('/api/v1/schools/*', apiAuth)
  .get('/api/v1/schools/:code', validate('param', schoolParams), async (c) =>
    c.json(await schoolInScope(c, c.req.valid('param').code)),
  )
  .get(
    '/api/v1/schools/:code/classrooms',
    validate('param', schoolParams),
    validate('query', formatQuerySchema),
    async (c) => {
      const { code } = c.req.valid('param');
      const { classrooms } = await schoolInScope(c, code);
      const { format } = c.req.valid('query');
      if (format !== 'json') return tableResponse(format, classroomColumns, classrooms, `classrooms-${code}`);
      return c.json({ classrooms });
    },
  )
  .get(
    '/api/v1/schools/:code/devices',
    validate('param', schoolParams),
    validate('query', formatQuerySchema),
    async (c) => {
      const { code } = c.req.valid('param');
      const { devices } = await schoolInScope(c, code);
      const { format } = c.req.valid('query');
      if (format !== 'json') return tableResponse(format, deviceColumns, devices, `devices-${code}`);
      return c.json({ devices });
    },
  );

const errors = {
  401: { description: 'no or unknown API token', schema: apiErrorSchema },
  403: { description: 'the token is scoped to another county', schema: apiErrorSchema },
  404: { description: 'no such school', schema: apiErrorSchema },
};

export const schoolDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/schools/:code',
    summary: 'A school with its figures, its classrooms and its devices',
    tag: 'schools',
    auth: 'api-token',
    params: schoolParams,
    responses: { 200: { description: 'the school', schema: schoolDetailSchema }, ...errors },
  },
  {
    method: 'get',
    path: '/api/v1/schools/:code/classrooms',
    summary: "A school's classrooms with equipped status and last evidence (?format=csv or xlsx)",
    tag: 'schools',
    auth: 'api-token',
    params: schoolParams,
    query: formatQuerySchema,
    responses: {
      200: { description: 'classrooms', schema: z.object({ classrooms: z.array(classroomRowSchema) }), csv: true },
      ...errors,
    },
  },
  {
    method: 'get',
    path: '/api/v1/schools/:code/devices',
    summary: "A school's devices with state, last report and agent version (?format=csv or xlsx)",
    tag: 'schools',
    auth: 'api-token',
    params: schoolParams,
    query: formatQuerySchema,
    responses: {
      200: { description: 'devices', schema: z.object({ devices: z.array(deviceRowSchema) }), csv: true },
      ...errors,
    },
  },
];
