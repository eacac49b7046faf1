import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppDeps, AppEnv } from './http/app-env.ts';
import { DomainError, failureStatus } from './errors.ts';
import { buildOpenApiDocument } from './http/openapi.ts';
import type { RouteDoc } from './http/openapi-registry.ts';
import { methodNotAllowed } from './http/method-not-allowed.ts';
import { requestLimits } from './http/request-limits.ts';
import { coverageDocs, coverageRoutes } from './routes/coverage.ts';
import { divisionDocs, divisionRoutes } from './routes/divisions.ts';
import { signedInDashboard } from './routes/dashboard.ts';
import { dashboardSessionRoutes } from './routes/dashboard-session.ts';
import { agentDownloadRoutes } from './routes/dashboard-agent-download.ts';
import { enrollDocs, enrollRoutes } from './routes/enroll.ts';
import { healthDocs, healthRoutes } from './routes/health.ts';
import { planDocs, planRoutes } from './routes/plan.ts';
import { platformDocs, platformRoutes } from './routes/platforms.ts';
import { publicDocs, publicRoutes } from './routes/public.ts';
import { reportDocs, reportRoutes } from './routes/reports.ts';
import { schoolDocs, schoolRoutes } from './routes/schools.ts';
import { speedtestDocs, speedtestRoutes } from './routes/speedtest.ts';
import { teacherSpacesDocs, teacherSpacesRoutes } from './routes/teacher-spaces.ts';
import { agentReleaseDocs, agentReleaseRoutes } from './routes/agent-releases.ts';
import { auditDocs, auditRoutes } from './routes/audit.ts';
import { declarationDocs, declarationRoutes } from './routes/declarations.ts';
import { historyDocs, historyRoutes } from './routes/history.ts';
import { inspectionDocs, inspectionRoutes } from './routes/inspections.ts';
import { GroupCommitter, type ReportCommitter } from './ingest/group-commit.ts';
import { securityHeaders } from './http/security-headers.ts';
import { SERVER_VERSION } from './version.ts';
import { requestContext } from './http/access-log.ts';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  outageLog,
} from './db/unavailable.ts';

/** Every documented route; the OpenAPI document and the route-coverage test both read this list. */
export const routeDocs: RouteDoc[] = [
  ...healthDocs,
  ...enrollDocs,
  ...reportDocs,
  ...planDocs,
  ...coverageDocs,
  ...divisionDocs,
  ...schoolDocs,
  ...speedtestDocs,
  ...agentReleaseDocs,
  ...declarationDocs,
  ...auditDocs,
  ...historyDocs,
  ...inspectionDocs,
  ...teacherSpacesDocs,
  ...platformDocs,
  ...publicDocs,
];

/** The whole HTTP application over the given dependencies; no global state, so tests build their own. */
/** What the app is built from: the routes' dependencies, and where report batches commit (decision 200). */
export interface AppOptions extends AppDeps {
  /** A GroupCommitter on this thread's store when absent. */
  reportCommitter?: ReportCommitter;
}

export function createApp(deps: AppOptions) {
  const openApiDocument = buildOpenApiDocument(routeDocs, SERVER_VERSION);
  const app = new Hono<AppEnv>()
    .use(securityHeaders({ httpsOnly: deps.httpsOnly === true }))
    .use(requestContext(deps))
    // A method a documented path lacks is refused with its Allow list before auth, limits or parsing.
    .use(methodNotAllowed([...routeDocs, { method: 'get', path: '/api/v1/openapi.json' }]))
    // Rate limits and the default body limit, before any route parses or touches the database.
    .use(requestLimits(deps.limits))
    .route('/', healthRoutes)
    .route('/', enrollRoutes)
    .route('/', reportRoutes(deps.reportCommitter ?? new GroupCommitter(deps.store, deps.retentionDays)))
    .route('/', planRoutes)
    .route('/', coverageRoutes)
    .route('/', divisionRoutes)
    .route('/', schoolRoutes)
    .route('/', declarationRoutes)
    .route('/', auditRoutes)
    .route('/', historyRoutes)
    .route('/', inspectionRoutes)
    .route('/', teacherSpacesRoutes)
    .route('/', platformRoutes)
    .route('/', publicRoutes)
    // The dashboard: server-rendered pages with their own HTML error pages (issue 4).
    .route('/', dashboardSessionRoutes)
    .route('/', signedInDashboard())
    // The agent's files: a signed-in account, or a school PC with its enrollment token (decision 183).
    .route('/', agentDownloadRoutes)
    .route('/', speedtestRoutes())
    .route('/', agentReleaseRoutes)
    .get('/api/v1/openapi.json', (c) => c.json(openApiDocument));

  app.notFound((c) =>
    c.json({ error: `no route ${c.req.method} ${c.req.path}; see /api/v1/openapi.json`, code: 'not_found' }, 404),
  );
  const databaseOutage = outageLog(deps.logger);
  app.onError((error, c) => {
    if (error instanceof DomainError) {
      return c.json(
        { error: error.message, code: error.code, ...(error.issues ? { issues: error.issues } : {}) },
        failureStatus[error.failure],
      );
    }
    if (error instanceof HTTPException) {
      // Hono's own rejections, e.g. a body that is not JSON.
      return c.json({ error: error.message || 'bad request', code: 'bad_request' }, error.status);
    }
    if (isDatabaseUnavailable(error)) {
      // A restart or failover of the database, not a fault: the client keeps what it sent and tries again, and
      // this process stays up to serve once the database is back (decision 197). Logged briefly, not per stack.
      databaseOutage.refused(error);
      c.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return c.json({ error: DATABASE_UNAVAILABLE_MESSAGE, code: 'database_unavailable' }, 503);
    }
    deps.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json({ error: 'internal error; the server log has the details', code: 'internal' }, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
