import { Hono, type Context } from 'hono';
import { assertRole, listScope } from '../access/scope.ts';
import type { AppEnv } from '../http/app-env.ts';
import { listPlatforms, readPlatformCoverage } from '../programme/platforms.ts';
import { platformColumns, PlatformsPage } from '../views/platforms-page.tsx';
import { exportFormatOf, exportPaths, tableExport } from '../views/table.tsx';

/** The county a reader is confined to (null: the whole prefecture); school accounts see no platform list. */
function readerScope(c: Context<AppEnv>): string | null {
  assertRole(c.var.user, 'bureau', 'county');
  return listScope(c.var.user).divisionCode;
}

/** The two platforms, read-only: the bureau sees all, a county officer the prefecture's and their county's. */
export const dashboardPlatformRoutes = new Hono<AppEnv>()
  .get('/platforms', (c) => {
    const scope = readerScope(c);
    const now = c.var.clock();
    return c.html(
      PlatformsPage({
        locale: c.var.locale,
        viewer: c.var.viewer,
        path: c.req.path,
        platforms: listPlatforms(c.var.db, scope, now),
        coverage: readPlatformCoverage(c.var.db, scope, now),
      }),
    );
  })
  .on('GET', exportPaths('/platforms'), (c) =>
    tableExport(
      c.var.locale,
      exportFormatOf(c.req.path),
      'platforms',
      platformColumns(c.var.locale),
      listPlatforms(c.var.db, readerScope(c), c.var.clock()),
    ),
  );
