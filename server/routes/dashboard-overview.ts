import { Hono, type Context } from 'hono';
import { createFactory } from 'hono/factory';
import { z } from 'zod';
import { divisionCodeSchema } from '../../shared/schemas/division-code.ts';
import { assertCanSeeDivision, assertRole } from '../access/scope.ts';
import type { AppEnv } from '../http/app-env.ts';
import { readCoverage } from '../coverage/read.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { validate } from '../http/validate.ts';
import { currentPlan } from '../plan/current.ts';
import { readPrefectureSeries } from '../programme/history.ts';
import { readProgrammeFigures } from '../programme/programme-figures.ts';
import { trailTo } from './dashboard-trail.ts';
import { childLevelOf, countyColumns, divisionColumns, DivisionPage, OverviewPage } from '../views/overview-page.tsx';
import { exportFormatOf, sortRows, tableExport } from '../views/table.tsx';
import { localDay } from '../../shared/time/china-time.ts';

const sortQuery = z.object({ sort: z.string().max(20).default('code'), dir: z.enum(['asc', 'desc']).default('asc') });
const divisionParams = z.object({ code: divisionCodeSchema });

/** The county table as CSV or XLSX: every county for the bureau, their own for a county officer. */
const exportCounties = createFactory<AppEnv>().createHandlers(validate('query', sortQuery), async (c) => {
  const user = c.get('user');
  assertRole(user, 'bureau', 'county');
  const now = c.get('clock')();
  const coverage = await readCoverage(c.get('store'), user.divisionCode, now);
  const { sort, dir } = c.req.valid('query');
  const columns = countyColumns(c.get('locale'));
  return tableExport(
    c.get('locale'),
    exportFormatOf(c.req.path),
    `counties-${localDay(now)}`,
    columns,
    sortRows(coverage.counties, columns, sort, dir),
  );
});

/** A division's children table as CSV or XLSX, sorted as on its page. */
const exportChildren = createFactory<AppEnv>().createHandlers(
  validate('param', divisionParams),
  validate('query', sortQuery),
  async (c) => {
    const { code } = c.req.valid('param');
    assertCanSeeDivision(c.get('user'), code);
    const now = c.get('clock')();
    const coverage = await readCoverage(c.get('store'), code, now);
    const { sort, dir } = c.req.valid('query');
    const columns = divisionColumns(c.get('locale'), childLevelOf(coverage));
    return tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      `divisions-${code}-${localDay(now)}`,
      columns,
      sortRows(coverage.children, columns, sort, dir),
    );
  },
);

/** What every division view shares: its coverage, its children sorted as asked, its history and trail. */
async function divisionView(c: Context<AppEnv>, code: string | null, sort: string, dir: 'asc' | 'desc') {
  const now = c.get('clock')();
  const coverage =
    code === null
      ? await readProgrammeFigures(c.get('store'), null, now)
      : await readCoverage(c.get('store'), code, now);
  const here = coverage.division.code;
  const columns = divisionColumns(c.get('locale'), childLevelOf(coverage));
  const anchor = childLevelOf(coverage) === 'county' ? 'counties' : 'children';
  const base = code === null ? '/' : `/divisions/${here}`;
  return {
    locale: c.get('locale'),
    viewer: c.get('viewer'),
    path: c.req.path + new URL(c.req.url).search,
    coverage,
    plan: await currentPlan(c.get('store')),
    rows: sortRows(coverage.children, columns, sort, dir),
    sorting: { key: sort, dir, href: (key: string, d: 'asc' | 'desc') => `${base}?sort=${key}&dir=${d}#${anchor}` },
    query: new URL(c.req.url).search.slice(1),
    now,
    history: await readPrefectureSeries(c.get('store'), here),
    ...(await trailTo(c.get('store'), c.get('user'), here)),
  };
}

/**
 * The drill-down (issue 13 item 6): the root's overview (bureau), any province or prefecture in scope with its
 * children one level down, and each one's children table as CSV/XLSX; a county's page is its school list.
 */
export const dashboardOverviewRoutes = new Hono<AppEnv>()
  .get('/', validate('query', sortQuery), async (c) => {
    const user = c.get('user');
    if (user.role === 'county') return c.redirect(`/counties/${user.divisionCode}`, 302);
    if (user.role === 'school') return c.redirect(`/schools/${user.schoolCode}`, 302);
    // A bureau confined to a division below the root lands on that division's page (decision 150).
    if (user.divisionCode !== null) return c.redirect(`/divisions/${user.divisionCode}`, 302);
    const { sort, dir } = c.req.valid('query');
    const view = await divisionView(c, null, sort, dir);
    const figures = view.coverage as Awaited<ReturnType<typeof readProgrammeFigures>>;
    return c.html(OverviewPage({ ...view, spaces: figures.teacherSpaces, platforms: figures.platforms }));
  })
  .get('/divisions/:code', validate('param', divisionParams), validate('query', sortQuery), async (c) => {
    const { code } = c.req.valid('param');
    assertCanSeeDivision(c.get('user'), code);
    const tree = await deploymentTree(c.get('store'));
    // One page per division: the root is the overview, a county its school list.
    if (code === tree.root.code) return c.redirect('/', 302);
    if (tree.isSchoolUnit(code)) return c.redirect(`/counties/${code}`, 302);
    const { sort, dir } = c.req.valid('query');
    return c.html(DivisionPage(await divisionView(c, code, sort, dir)));
  })
  .get('/divisions/:code/children.csv', ...exportChildren)
  .get('/divisions/:code/children.xlsx', ...exportChildren)
  .get('/counties.csv', ...exportCounties)
  .get('/counties.xlsx', ...exportCounties);
