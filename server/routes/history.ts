import { Hono } from 'hono';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import { historyQuerySchema, historySchema } from '../../shared/schemas/history.ts';
import type { AppEnv } from '../http/app-env.ts';
import { assertDivisionInScope, divisionScopeOf } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import { tableResponse, type TableColumn as CsvColumn } from '../http/table-response.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { readHistory } from '../programme/history.ts';

type Point = Awaited<ReturnType<typeof readHistory>>[number];
const columns: CsvColumn<Point>[] = [
  { header: 'day', value: (p) => p.day, time: 'day' },
  { header: 'division_code', value: (p) => p.divisionCode },
  { header: 'name', value: (p) => p.name },
  { header: 'source', value: (p) => p.source },
  { header: 'schools_registered', value: (p) => p.figures.schools.registered },
  { header: 'schools_connected', value: (p) => p.figures.schools.connected },
  { header: 'schools_meeting_standard', value: (p) => p.figures.schools.meetingStandard },
  { header: 'schools_declared_connected', value: (p) => p.figures.schools.declaredConnected },
  { header: 'classrooms_registered', value: (p) => p.figures.classrooms.registered },
  { header: 'classrooms_equipped', value: (p) => p.figures.classrooms.equipped },
  { header: 'classrooms_declared_equipped', value: (p) => p.figures.classrooms.declaredEquipped },
  { header: 'devices_enrolled', value: (p) => p.figures.devices.enrolled },
  { header: 'devices_live', value: (p) => p.figures.devices.live },
  // The other states, so the device columns add up to devices_enrolled (decision 165); last, like every addition.
  { header: 'devices_at_risk', value: (p) => p.figures.devices.atRisk },
  { header: 'devices_silent', value: (p) => p.figures.devices.silent },
  { header: 'devices_never', value: (p) => p.figures.devices.never },
];

/** The daily time series of every indicator, per county and for the prefecture. */
export const historyRoutes = new Hono<AppEnv>().get(
  '/api/v1/history',
  apiAuth,
  validate('query', historyQuerySchema),
  async (c) => {
    const query = c.req.valid('query');
    const scope = divisionScopeOf(c.get('principal'));
    if (query.division) assertDivisionInScope(c.get('principal'), query.division);
    // One division when asked for; else every division the principal sees (its own subtree, or all).
    const divisionCodes = query.division ? [query.division] : null;
    const series = await readHistory(c.get('store'), { divisionCodes, within: scope, from: query.from, to: query.to });
    if (query.format !== 'json') return tableResponse(query.format, columns, series, 'history');
    return c.json({ series });
  },
);

export const historyDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/history',
    summary: 'Daily snapshots of every indicator per county and for the prefecture (end of each local day)',
    tag: 'coverage',
    auth: 'api-token',
    query: historyQuerySchema,
    responses: {
      200: { description: 'the series, oldest first (?format=csv or xlsx)', schema: historySchema, csv: true },
      400: { description: 'bad query', schema: apiErrorSchema },
      401: { description: 'no or unknown API token', schema: apiErrorSchema },
      403: { description: 'another county', schema: apiErrorSchema },
    },
  },
];
