import { Hono } from 'hono';
import { z } from 'zod';
import { countyParams } from '../../shared/schemas/route-params.ts';
import {
  coverageQuerySchema,
  coverageSchema,
  countyCoverageResponseSchema,
  countySchoolsQuerySchema,
  type SchoolRow,
} from '../../shared/schemas/coverage.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import { programmeCoverageSchema } from '../../shared/schemas/programme-coverage.ts';
import type { AppEnv } from '../http/app-env.ts';
import { assertCountyInScope, countyScopeOf } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import { findCounty, readCountySchools, readCoverage } from '../coverage/read.ts';
import { csvResponse, toCsv, type CsvColumn } from '../http/csv.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { readProgrammeFigures } from '../programme/programme-figures.ts';

/** The classroom and device figures, which school rows and county rows share column for column. */
function classroomAndDeviceColumns<Row extends Pick<SchoolRow, 'classrooms' | 'devices'>>(): CsvColumn<Row>[] {
  return [
    { header: 'classrooms_registered', value: (r) => r.classrooms.registered },
    { header: 'classrooms_equipped', value: (r) => r.classrooms.equipped },
    { header: 'classrooms_declared_equipped', value: (r) => r.classrooms.declaredEquipped },
    { header: 'devices_enrolled', value: (r) => r.devices.enrolled },
    { header: 'devices_live', value: (r) => r.devices.live },
    { header: 'devices_at_risk', value: (r) => r.devices.atRisk },
    { header: 'devices_silent', value: (r) => r.devices.silent },
    { header: 'devices_never', value: (r) => r.devices.never },
    // Added with report schema 2; last, so files read by column position keep their meaning.
    { header: 'classrooms_equipped_projector', value: (r) => r.classrooms.equippedBy.projector },
    { header: 'classrooms_equipped_interactive_panel', value: (r) => r.classrooms.equippedBy.interactivePanel },
    { header: 'classrooms_equipped_large_display', value: (r) => r.classrooms.equippedBy.largeDisplay },
  ];
}

export const schoolCsvColumns: CsvColumn<SchoolRow>[] = [
  { header: 'code', value: (r) => r.code },
  { header: 'name', value: (r) => r.name },
  { header: 'township', value: (r) => r.township },
  { header: 'type_code', value: (r) => r.typeCode },
  { header: 'urban_rural_code', value: (r) => r.urbanRuralCode },
  { header: 'connected', value: (r) => r.connected },
  { header: 'last_reachable_at', value: (r) => r.lastReachableAt },
  { header: 'bandwidth_mbps', value: (r) => r.bandwidthMbps },
  { header: 'standard_mbps', value: (r) => r.standardMbps },
  { header: 'meets_standard', value: (r) => r.meetsStandard },
  { header: 'declared_connected', value: (r) => r.declaredConnected },
  { header: 'declaration_conflict', value: (r) => r.declarationConflict },
  { header: 'bandwidth_source', value: (r) => r.bandwidthSource },
  { header: 'flagged_samples', value: (r) => r.flaggedSamples },
  { header: 'flag_reasons', value: (r) => r.flagReasons.join(' ') },
  ...classroomAndDeviceColumns<SchoolRow>(),
];

type CountyRow = z.infer<typeof coverageSchema>['counties'][number];
const countyCsvColumns: CsvColumn<CountyRow>[] = [
  { header: 'code', value: (r) => r.code },
  { header: 'name', value: (r) => r.name },
  { header: 'schools_registered', value: (r) => r.schools.registered },
  { header: 'schools_connected', value: (r) => r.schools.connected },
  { header: 'schools_meeting_standard', value: (r) => r.schools.meetingStandard },
  { header: 'schools_declared_connected', value: (r) => r.schools.declaredConnected },
  { header: 'declaration_conflicts', value: (r) => r.schools.declarationConflicts },
  ...classroomAndDeviceColumns<CountyRow>(),
];

export const coverageRoutes = new Hono<AppEnv>()
  .use('/api/v1/coverage', apiAuth)
  .use('/api/v1/coverage/*', apiAuth)
  .get('/api/v1/coverage', validate('query', coverageQuerySchema), (c) => {
    const now = c.var.clock();
    const scope = countyScopeOf(c.var.principal);
    const { format, page, pageSize } = c.req.valid('query');
    if (format === 'csv')
      return csvResponse(toCsv(countyCsvColumns, readCoverage(c.var.db, scope, now).counties), 'coverage-counties.csv');
    return c.json(readProgrammeFigures(c.var.db, scope, now, { page, pageSize }));
  })
  .get(
    '/api/v1/coverage/counties/:code',
    validate('param', countyParams),
    validate('query', countySchoolsQuerySchema),
    (c) => {
      const { code } = c.req.valid('param');
      const query = c.req.valid('query');
      assertCountyInScope(c.var.principal, code);
      findCounty(c.var.db, code);
      const now = c.var.clock();
      const csv = query.format === 'csv';
      const schools = readCountySchools(c.var.db, code, query, now, !csv);
      if (csv) return csvResponse(toCsv(schoolCsvColumns, schools.rows), `schools-${code}.csv`);
      const coverage = readCoverage(c.var.db, code, now);
      return c.json({
        asOf: coverage.asOf,
        evidenceWindowDays: coverage.evidenceWindowDays,
        county: coverage.counties[0]!,
        schools,
      });
    },
  );

const errors = {
  400: { description: 'invalid query; issues name each bad parameter', schema: apiErrorSchema },
  401: { description: 'no or unknown API token', schema: apiErrorSchema },
};

export const coverageDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/coverage',
    summary:
      'Prefecture coverage against the plan, with a row per county, paged (a county-scoped token sees its county only)',
    tag: 'coverage',
    auth: 'api-token',
    query: coverageQuerySchema,
    responses: {
      200: {
        description:
          'figures as of asOf with one page of county rows (countyPage); ?format=csv gives every county row as CSV',
        schema: programmeCoverageSchema,
        csv: true,
      },
      ...errors,
    },
  },
  {
    method: 'get',
    path: '/api/v1/coverage/counties/:code',
    summary: "A county's figures and its schools, filterable and paginated",
    tag: 'coverage',
    auth: 'api-token',
    params: countyParams,
    query: countySchoolsQuerySchema,
    responses: {
      200: {
        description: 'the county and one page of schools; ?format=csv gives every matching school as CSV',
        schema: countyCoverageResponseSchema,
        csv: true,
      },
      ...errors,
      403: { description: 'the token is scoped to another county', schema: apiErrorSchema },
      404: { description: 'no such county', schema: apiErrorSchema },
    },
  },
];
