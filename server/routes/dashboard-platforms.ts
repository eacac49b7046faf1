import { Hono, type Context } from 'hono';
import { assertRole, listScope } from '../access/scope.ts';
import type { AppEnv } from '../http/app-env.ts';
import { listPlatforms, readPlatformCoverage } from '../programme/platforms.ts';
import { platformColumns, PlatformsPage } from '../views/platforms-page.tsx';
import { exportFormatOf, exportPaths, tableExport } from '../views/table.tsx';

/** The county a reader is confined to (null: the whole prefecture); school accounts see no platform list. */
function readerScope(c: Context<AppEnv>): string | null {
  assertRole(c.get('user'), 'bureau', 'county');
  return listScope(c.get('user')).divisionCode;
}

/** The two platforms, read-only: the bureau sees all, a county officer the prefecture's and their county's. */
export const dashboardPlatformRoutes = new Hono<AppEnv>()
  .get('/platforms', async (c) => {
    const scope = readerScope(c);
    const now = c.get('clock')();
    return c.html(
      PlatformsPage({
        locale: c.get('locale'),
        viewer: c.get('viewer'),
        path: c.req.path,
        platforms: await listPlatforms(c.get('store'), scope, now),
        coverage: await readPlatformCoverage(c.get('store'), scope, now),
      }),
    );
  })
  .on('GET', exportPaths('/platforms'), async (c) =>
    tableExport(
      c.get('locale'),
      exportFormatOf(c.req.path),
      'platforms',
      platformColumns(c.get('locale')),
      await listPlatforms(c.get('store'), readerScope(c), c.get('clock')()),
    ),
  );
