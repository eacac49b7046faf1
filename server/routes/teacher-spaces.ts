import { Hono } from 'hono';
import { schoolParams } from '../../shared/schemas/route-params.ts';
import { formatQuerySchema } from '../../shared/schemas/coverage.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import {
  schoolTeacherSpacesSchema,
  teacherSpacesInputSchema,
  teacherSpacesSchema,
  type TeacherSpaces,
} from '../../shared/schemas/teacher-spaces.ts';
import type { AppEnv } from '../http/app-env.ts';
import { divisionScopeOf } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import { apiAuthOnce, countyWriter } from '../auth/writers.ts';
import { tableResponse, type TableColumn as CsvColumn } from '../http/table-response.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { declareTeacherSpaces, readTeacherSpaces, schoolCountyOf } from '../programme/teacher-spaces.ts';

const countyColumns: CsvColumn<TeacherSpaces['counties'][number]>[] = [
  { header: 'code', value: (r) => r.code },
  { header: 'name', value: (r) => r.name },
  { header: 'teachers', value: (r) => r.teachers },
  { header: 'spaces_opened', value: (r) => r.opened },
  { header: 'spaces_verified', value: (r) => r.verified },
  { header: 'schools_declared', value: (r) => r.schoolsDeclared },
];

export const teacherSpacesRoutes = new Hono<AppEnv>()
  .use('/api/v1/teacher-spaces', apiAuth)
  .get('/api/v1/teacher-spaces', validate('query', formatQuerySchema), async (c) => {
    const spaces = await readTeacherSpaces(c.get('store'), divisionScopeOf(c.get('principal')));
    const { format } = c.req.valid('query');
    if (format !== 'json') return tableResponse(format, countyColumns, spaces.counties, 'teacher-spaces-counties');
    return c.json(spaces);
  })
  .put(
    '/api/v1/schools/:code/teacher-spaces',
    apiAuthOnce,
    validate('param', schoolParams),
    validate('json', teacherSpacesInputSchema),
    async (c) => {
      const { code } = c.req.valid('param');
      const { reason, ...figures } = c.req.valid('json');
      const audit = countyWriter(c.get('principal'), await schoolCountyOf(c.get('store'), code), reason);
      const { row, changed } = await declareTeacherSpaces(c.get('store'), code, figures, audit, c.get('clock')());
      return c.json({
        schoolCode: row.schoolCode,
        teachers: row.teachers,
        spacesOpened: row.spacesOpened,
        spacesVerified: row.spacesVerified,
        declared: true as const,
        updatedAt: new Date(row.updatedAt).toISOString(),
        updatedBy: row.updatedBy,
        changed,
      });
    },
  );

export const teacherSpacesDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/teacher-spaces',
    summary:
      'Declared teacher spaces (人人通) per county and in total, against the plan (?format=csv or xlsx for the county rows)',
    tag: 'teacher-spaces',
    auth: 'api-token',
    query: formatQuerySchema,
    responses: {
      200: {
        description: 'declared figures; a county-scoped token sees its county and no plan target',
        schema: teacherSpacesSchema,
        csv: true,
      },
      401: { description: 'no or unknown API token', schema: apiErrorSchema },
    },
  },
  {
    method: 'put',
    path: '/api/v1/schools/:code/teacher-spaces',
    summary: "Declare a school's teachers, spaces opened and spaces real-name verified, with the reason (audited)",
    tag: 'teacher-spaces',
    auth: 'api-token',
    params: schoolParams,
    body: teacherSpacesInputSchema,
    responses: {
      200: {
        description: 'the stored figures; changed is false when they were already these',
        schema: schoolTeacherSpacesSchema,
      },
      400: {
        description: 'invalid figures (negative, opened > teachers, verified > opened) or no reason',
        schema: apiErrorSchema,
      },
      401: { description: 'no or unknown API token', schema: apiErrorSchema },
      403: { description: 'a dashboard session, or a token scoped to another county', schema: apiErrorSchema },
      404: { description: 'no such school', schema: apiErrorSchema },
    },
  },
];
