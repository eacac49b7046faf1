import { Hono } from 'hono';
import { createFactory } from 'hono/factory';
import { z } from 'zod';
import { assertRole } from '../access/scope.ts';
import type { AppEnv } from '../http/app-env.ts';
import { readCoverage } from '../coverage/read.ts';
import { validate } from '../http/validate.ts';
import { currentPlan } from '../plan/current.ts';
import { readPrefectureSeries } from '../programme/history.ts';
import { readProgrammeFigures } from '../programme/programme-figures.ts';
import { countyColumns, OverviewPage } from '../views/overview-page.tsx';
import { exportFormatOf, sortRows, tableExport } from '../views/table.tsx';
import { localDay } from '../../shared/time/china-time.ts';

const sortQuery = z.object({ sort: z.string().max(20).default('code'), dir: z.enum(['asc', 'desc']).default('asc') });

/** The county table as CSV or XLSX: every county for the bureau, their own for a county officer. */
const exportCounties = createFactory<AppEnv>().createHandlers(validate('query', sortQuery), async (c) => {
  const user = c.var.user;
  assertRole(user, 'bureau', 'county');
  const now = c.var.clock();
  const coverage = readCoverage(c.var.db, user.divisionCode, now);
  const { sort, dir } = c.req.valid('query');
  const columns = countyColumns(c.var.locale);
  return tableExport(
    c.var.locale,
    exportFormatOf(c.req.path),
    `counties-${localDay(now)}`,
    columns,
    sortRows(coverage.counties, columns, sort, dir),
  );
});

/** The prefecture overview (bureau) and its county table export; other roles start at their own page. */
export const dashboardOverviewRoutes = new Hono<AppEnv>()
  .get('/', validate('query', sortQuery), (c) => {
    const user = c.var.user;
    if (user.role === 'county') return c.redirect(`/counties/${user.divisionCode}`, 302);
    if (user.role === 'school') return c.redirect(`/schools/${user.schoolCode}`, 302);
    const now = c.var.clock();
    const figures = readProgrammeFigures(c.var.db, user.divisionCode, now);
    const { sort, dir } = c.req.valid('query');
    const columns = countyColumns(c.var.locale);
    const sorting = { key: sort, dir, href: (key: string, d: 'asc' | 'desc') => `/?sort=${key}&dir=${d}#counties` };
    const query = new URL(c.req.url).search.slice(1);
    const plan = currentPlan(c.var.db);
    return c.html(
      OverviewPage({
        locale: c.var.locale,
        viewer: c.var.viewer,
        path: c.req.path,
        coverage: figures,
        plan,
        rows: sortRows(figures.counties, columns, sort, dir),
        sorting,
        query,
        now,
        history: readPrefectureSeries(c.var.db, user.divisionCode ?? plan.root.code),
        spaces: figures.teacherSpaces,
        platforms: figures.platforms,
      }),
    );
  })
  .get('/counties.csv', ...exportCounties)
  .get('/counties.xlsx', ...exportCounties);
