import { Hono } from 'hono';
import { pageContext, requireUser } from '../accounts/page-auth.ts';
import type { AppEnv } from '../http/app-env.ts';
import { pageErrorHandler } from '../views/error-page.tsx';
import { dashboardAdminRoutes } from './dashboard-admin.ts';
import { dashboardCalendarRoutes } from './dashboard-calendar.ts';
import { dashboardCountyRoutes } from './dashboard-county.ts';
import { dashboardDeclarationRoutes } from './dashboard-declarations.ts';
import { dashboardDevicesRoutes } from './dashboard-devices.ts';
import { dashboardEnrollmentRoutes } from './dashboard-enrollment.ts';
import { dashboardInspectionRoutes } from './dashboard-inspections.ts';
import { dashboardOverviewRoutes } from './dashboard-overview.ts';
import { dashboardPlatformRoutes } from './dashboard-platforms.ts';
import { dashboardSchoolRoutes } from './dashboard-school.ts';

/*
 * The dashboard's signed-in pages. A page's sub-app holds its handlers only: the session check
 * (pageContext, requireUser) is added here to every route the pages declare, so a new page cannot forget
 * it. It is added per declared route rather than with `.use('*')`, because a sub-app's `*` middleware
 * mounted at '/' runs for every request of the app: the API, the public disclosure, the login page and
 * unknown paths would all be sent to the login page. The login page, logout and the public page stay outside.
 */
const pages: Hono<AppEnv>[] = [
  dashboardOverviewRoutes,
  dashboardCountyRoutes,
  dashboardSchoolRoutes,
  dashboardDevicesRoutes,
  dashboardEnrollmentRoutes,
  dashboardAdminRoutes,
  // Issue 5 in the dashboard: declared statuses, the school calendar, spot checks, the two platforms.
  dashboardDeclarationRoutes,
  dashboardCalendarRoutes,
  dashboardInspectionRoutes,
  dashboardPlatformRoutes,
];

/** Every signed-in dashboard page behind the session check, with the dashboard's HTML error pages (issue 4). */
export function signedInDashboard(): Hono<AppEnv> {
  const dashboard = new Hono<AppEnv>();
  const guarded = new Set<string>();
  for (const page of pages) {
    for (const { method, path } of page.routes) {
      if (guarded.has(`${method} ${path}`)) continue;
      guarded.add(`${method} ${path}`);
      dashboard.on(method, path, pageContext, requireUser);
    }
  }
  for (const page of pages) dashboard.route('/', page);
  dashboard.onError(pageErrorHandler);
  return dashboard;
}
