import { Hono, type Context } from 'hono';
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
import { assertDivisionInScope, divisionScopeOf } from '../access/scope.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { apiAuth } from '../auth/middleware.ts';
import { findCounty, readCountySchools, readCoverage } from '../coverage/read.ts';
import { tableResponse, type TableColumn as CsvColumn } from '../http/table-response.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { acceptsGzip } from '../http/accept-encoding.ts';
import { programmeFiguresGzip, programmeFiguresJson } from '../programme/programme-figures.ts';

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
  { header: 'last_reachable_at', value: (r) => r.lastReachableAt, time: 'instant' },
  { header: 'bandwidth_mbps', value: (r) => r.bandwidthMbps },
  { header: 'standard_mbps', value: (r) => r.standardMbps },
  { header: 'meets_standard', value: (r) => r.meetsStandard },
  { header: 'declared_connected', value: (r) => r.declaredConnected },
  { header: 'declaration_conflict', value: (r) => r.declarationConflict },
  { header: 'bandwidth_source', value: (r) => r.bandwidthSource },
  { header: 'flagged_samples', value: (r) => r.flaggedSamples },
  { header: 'flag_reasons', value: (r) => r.flagReasons.join(' ') },
  ...classroomAndDeviceColumns<SchoolRow>(),
  // The codes in words (issue 18 item 11); last, like every added column.
  { header: 'type_name', value: (r) => r.typeName },
  { header: 'urban_rural_name', value: (r) => r.urbanRuralName },
];

type CountyRow = z.infer<typeof coverageSchema>['children'][number];
type Progress = CountyRow['progress']['schoolsConnected'];
const progressColumns = (name: string, of: (r: CountyRow) => Progress): CsvColumn<CountyRow>[] => [
  { header: `${name}_expected_share`, value: (r) => of(r).expectedShare },
  { header: `${name}_measured_share`, value: (r) => of(r).measuredShare },
  { header: `${name}_status`, value: (r) => of(r).status },
];

/** Division rows (a division's children) as CSV/XLSX; the plan's targets are the scope's (a county has none of its own), given on each row. */
const countyCsvColumns = (coverage: z.infer<typeof coverageSchema>): CsvColumn<CountyRow>[] => [
  { header: 'code', value: (r) => r.code },
  { header: 'name', value: (r) => r.name },
  { header: 'schools_registered', value: (r) => r.schools.registered },
  { header: 'schools_connected', value: (r) => r.schools.connected },
  { header: 'schools_meeting_standard', value: (r) => r.schools.meetingStandard },
  { header: 'schools_declared_connected', value: (r) => r.schools.declaredConnected },
  { header: 'declaration_conflicts', value: (r) => r.schools.declarationConflicts },
  ...classroomAndDeviceColumns<CountyRow>(),
  // Progress against the plan, as the JSON has it under progress (issue 18 item 11); last, like every addition.
  { header: 'progress_year', value: (r) => r.progress.year },
  ...progressColumns('schools_connected', (r) => r.progress.schoolsConnected),
  ...progressColumns('classrooms_equipped', (r) => r.progress.classroomsEquipped),
  { header: 'plan_schools_target', value: () => coverage.schools.target },
  { header: 'plan_classrooms_target', value: () => coverage.classrooms.target },
  // Added with issue 13 (children of any level); last, so files read by column position keep their meaning.
  { header: 'level', value: (r) => r.level },
];

/**
 * The division a coverage read is for: `?division=` when the principal may see it, else the principal's own;
 * null stands for the deployment's root (the root's code is folded into it, so plan targets apply as today).
 */
async function divisionToRead(c: Context<AppEnv>, asked: string | undefined): Promise<string | null> {
  const own = divisionScopeOf(c.get('principal'));
  if (asked === undefined) return own;
  assertDivisionInScope(c.get('principal'), asked);
  return asked === (await deploymentTree(c.get('store'))).root.code ? null : asked;
}

export const coverageRoutes = new Hono<AppEnv>()
  .use('/api/v1/coverage', apiAuth)
  .use('/api/v1/coverage/*', apiAuth)
  .get('/api/v1/coverage', validate('query', coverageQuerySchema), async (c) => {
    const now = c.get('clock')();
    const { format, page, pageSize, division, counties } = c.req.valid('query');
    const scope = await divisionToRead(c, division);
    if (format !== 'json') {
      // The exports list the division's children (a prefecture's counties, a province's prefectures), all of them.
      const coverage = await readCoverage(c.get('store'), scope, now, { page: 1, pageSize: 1, counties: false });
      return tableResponse(format, countyCsvColumns(coverage), coverage.children, 'coverage-counties');
    }
    // Serialised once per read-model version (decision 163), and gzipped once for clients that accept it
    // (decision 194); the same content type as c.json gives. Vary: a cache must not hand either to the other.
    const rows = { page, pageSize, counties };
    if (acceptsGzip(c.req.header('accept-encoding')))
      return c.body(await programmeFiguresGzip(c.get('store'), scope, now, rows), 200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        vary: 'accept-encoding',
      });
    return c.body(await programmeFiguresJson(c.get('store'), scope, now, rows), 200, {
      'content-type': 'application/json',
      vary: 'accept-encoding',
    });
  })
  .get(
    '/api/v1/coverage/counties/:code',
    validate('param', countyParams),
    validate('query', countySchoolsQuerySchema),
    async (c) => {
      const { code } = c.req.valid('param');
      const query = c.req.valid('query');
      assertDivisionInScope(c.get('principal'), code);
      await findCounty(c.get('store'), code);
      const now = c.get('clock')();
      const table = query.format !== 'json';
      const schools = await readCountySchools(c.get('store'), code, query, now, !table);
      if (query.format !== 'json')
        return tableResponse(query.format, schoolCsvColumns, schools.rows, `schools-${code}`);
      const coverage = await readCoverage(c.get('store'), code, now);
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
      "A division's coverage against the plan with its direct sub-divisions (children) and, where they are its " +
      'children or on ?counties=true, a page of its county rows: ' +
      "the token's or account's own division by default (the root for the whole deployment), ?division=CODE for any division inside it",
    tag: 'coverage',
    auth: 'api-token',
    query: coverageQuerySchema,
    responses: {
      200: {
        description:
          'figures as of asOf for `division`, its `children` and one page of county rows (countyPage): unasked only ' +
          'at a prefecture, a municipality or a county, with ?counties=true at any level (decision 162); ' +
          '?format=csv or ?format=xlsx gives every child row (a prefecture: its counties; a province: its prefectures); ' +
          'the JSON is sent gzip-encoded (Content-Encoding: gzip) when Accept-Encoding accepts gzip (decision 194)',
        schema: programmeCoverageSchema,
        csv: true,
      },
      ...errors,
      403: {
        description:
          'a school account (read /api/v1/schools/{code}), or ?division outside the token’s or account’s own division',
        schema: apiErrorSchema,
      },
      404: { description: "?division names no division under the deployment's root", schema: apiErrorSchema },
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
        description: 'the county and one page of schools; ?format=csv or xlsx gives every matching school as a table',
        schema: countyCoverageResponseSchema,
        csv: true,
      },
      ...errors,
      403: { description: 'the county lies outside the token’s or account’s division', schema: apiErrorSchema },
      404: { description: 'no such county', schema: apiErrorSchema },
    },
  },
];
