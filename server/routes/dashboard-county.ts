import { Hono } from 'hono';
import { createFactory } from 'hono/factory';
import { z } from 'zod';
import { countyParams } from '../../shared/schemas/route-params.ts';
import { countySchoolsQuerySchema } from '../../shared/schemas/coverage.ts';
import { assertCanSeeCounty } from '../access/scope.ts';
import type { AppEnv } from '../http/app-env.ts';
import { findCounty, readCountySchools, readCoverage } from '../coverage/read.ts';
import { readCountyTownships } from '../coverage/registry-read.ts';
import { validate } from '../http/validate.ts';
import { CountyPage, schoolColumns } from '../views/county-page.tsx';
import { exportFormatOf, tableExport } from '../views/table.tsx';
import { trailTo } from './dashboard-trail.ts';
import { localDay } from '../../shared/time/china-time.ts';

// A filter form sends its empty fields as ""; those mean "no filter".
const filterQuery = z.preprocess(
  (q) => Object.fromEntries(Object.entries(q as Record<string, string>).filter(([, v]) => v !== '')),
  countySchoolsQuerySchema
    .omit({ format: true })
    .extend({ pageSize: z.coerce.number().int().min(1).max(500).default(100) }),
);
const filterKeys = [
  'q',
  'connected',
  'meetsStandard',
  'hasSilentDevices',
  'noAgent',
  'declaredConnected',
  'conflict',
  'flagged',
  'typeCode',
  'township',
];

/** The filter part of a query string (no paging), for export and pager links. */
function filtersOf(url: string): string {
  const params = new URL(url).searchParams;
  const kept = new URLSearchParams([...params].filter(([k, v]) => filterKeys.includes(k) && v !== ''));
  return kept.toString();
}

/** The school list as CSV or XLSX (the path says which), with the page's filters. */
const exportSchools = createFactory<AppEnv>().createHandlers(
  validate('param', countyParams),
  validate('query', filterQuery),
  async (c) => {
    const { code } = c.req.valid('param');
    const format = exportFormatOf(c.req.path);
    assertCanSeeCounty(c.get('user'), code);
    await findCounty(c.get('store'), code);
    const now = c.get('clock')();
    const schools = await readCountySchools(
      c.get('store'),
      code,
      { ...c.req.valid('query'), format: 'json' },
      now,
      false,
    );
    return tableExport(
      c.get('locale'),
      format,
      `schools-${code}-${localDay(now)}`,
      schoolColumns(c.get('locale')),
      schools.rows,
    );
  },
);

/** A county's page and its school list export, for the bureau and that county's officers. */
export const dashboardCountyRoutes = new Hono<AppEnv>()
  .get('/counties/:code', validate('param', countyParams), validate('query', filterQuery), async (c) => {
    const { code } = c.req.valid('param');
    assertCanSeeCounty(c.get('user'), code);
    const county = await findCounty(c.get('store'), code);
    const now = c.get('clock')();
    const query = { ...c.req.valid('query'), format: 'json' as const };
    return c.html(
      CountyPage({
        locale: c.get('locale'),
        viewer: c.get('viewer'),
        path: c.req.path + new URL(c.req.url).search,
        county,
        coverage: await readCoverage(c.get('store'), code, now),
        query,
        filterQuery: filtersOf(c.req.url),
        townships: await readCountyTownships(c.get('store'), code),
        schools: await readCountySchools(c.get('store'), code, query, now, true),
        ...(await trailTo(c.get('store'), c.get('user'), code)),
      }),
    );
  })
  .get('/counties/:code/schools.csv', ...exportSchools)
  .get('/counties/:code/schools.xlsx', ...exportSchools);
