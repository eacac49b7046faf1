import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { formatQuerySchema } from '../../shared/schemas/coverage.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import {
  newPlatformSchema,
  platformCoverageSchema,
  platformDeleteQuery,
  platformIdParams,
  platformPatchSchema,
  platformSchema,
  type PlatformView,
} from '../../shared/schemas/platforms.ts';
import type { AppEnv } from '../http/app-env.ts';
import { divisionScopeOf } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import { bureauWriter } from '../auth/writers.ts';
import { tableResponse, type TableColumn as CsvColumn } from '../http/table-response.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { addPlatform, removePlatform, updatePlatform } from '../programme/platform-registry.ts';
import { listPlatforms, readPlatformCoverage } from '../programme/platforms.ts';

const platformColumns: CsvColumn<PlatformView>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'kind', value: (r) => r.kind },
  { header: 'level', value: (r) => r.level },
  { header: 'owner_code', value: (r) => r.ownerCode },
  { header: 'county_code', value: (r) => r.countyCode },
  { header: 'name', value: (r) => r.name },
  { header: 'url', value: (r) => r.url },
  { header: 'built_on', value: (r) => r.builtOn, time: 'day' },
  { header: 'last_probe_at', value: (r) => r.status?.lastProbeAt, time: 'instant' },
  { header: 'reachable', value: (r) => r.status?.reachable },
  { header: 'status_code', value: (r) => r.status?.statusCode },
  { header: 'error', value: (r) => r.status?.error },
  { header: 'uptime_7d', value: (r) => r.status?.uptime7d },
  { header: 'uptime_30d', value: (r) => r.status?.uptime30d },
  { header: 'median_latency_ms', value: (r) => r.status?.medianLatencyMs },
];

/** The platform as the API shows it, after a write. */
const viewOf = async (c: Context<AppEnv>, id: number) =>
  (await listPlatforms(c.get('store'), null, c.get('clock')())).find((p) => p.id === id)!;

export const platformRoutes = new Hono<AppEnv>()
  .use('/api/v1/platforms', apiAuth)
  .use('/api/v1/platforms/*', apiAuth)
  .get('/api/v1/platforms', validate('query', formatQuerySchema), async (c) => {
    const list = await listPlatforms(c.get('store'), divisionScopeOf(c.get('principal')), c.get('clock')());
    const { format } = c.req.valid('query');
    if (format !== 'json') return tableResponse(format, platformColumns, list, 'platforms');
    return c.json({ platforms: list });
  })
  .get('/api/v1/platforms/coverage', async (c) =>
    c.json(await readPlatformCoverage(c.get('store'), divisionScopeOf(c.get('principal')), c.get('clock')())),
  )
  .post('/api/v1/platforms', validate('json', newPlatformSchema), async (c) => {
    const { reason, ...input } = c.req.valid('json');
    const audit = bureauWriter(c.get('principal'), reason);
    const created = await addPlatform(c.get('store'), input, audit, c.get('clock')());
    return c.json(await viewOf(c, created.id), 201);
  })
  .patch(
    '/api/v1/platforms/:id',
    validate('param', platformIdParams),
    validate('json', platformPatchSchema),
    async (c) => {
      const { reason, ...patch } = c.req.valid('json');
      const { platform } = await updatePlatform(
        c.get('store'),
        c.req.valid('param').id,
        patch,
        bureauWriter(c.get('principal'), reason),
        c.get('clock')(),
      );
      return c.json(await viewOf(c, platform.id));
    },
  )
  .delete(
    '/api/v1/platforms/:id',
    validate('param', platformIdParams),
    validate('query', platformDeleteQuery),
    async (c) => {
      const removed = await removePlatform(
        c.get('store'),
        c.req.valid('param').id,
        bureauWriter(c.get('principal'), c.req.valid('query').reason),
        c.get('clock')(),
      );
      return c.json({ removed: removed.id });
    },
  );

const readErrors = { 401: { description: 'no or unknown API token', schema: apiErrorSchema } };
const writeErrors = {
  ...readErrors,
  400: {
    description: 'invalid input, an owner that is not a unit of the level, a date still to come, or no reason',
    schema: apiErrorSchema,
  },
  403: {
    description: 'a dashboard session or a county-scoped token: only prefecture-wide API tokens change the registry',
    schema: apiErrorSchema,
  },
};
const notFound = { 404: { description: 'no such platform', schema: apiErrorSchema } };

export const platformDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/platforms',
    summary:
      'The platform registry with each platform’s probed status (a county token sees the prefecture’s and its own)',
    tag: 'platforms',
    auth: 'api-token',
    query: formatQuerySchema,
    responses: {
      200: {
        description: 'platforms; ?format=csv or xlsx as a table',
        schema: z.object({ platforms: z.array(platformSchema) }),
        csv: true,
      },
      ...readErrors,
    },
  },
  {
    method: 'get',
    path: '/api/v1/platforms/coverage',
    summary: 'Per level: units due by the plan, declared built and reachable (measured), per kind — never summed',
    tag: 'platforms',
    auth: 'api-token',
    responses: { 200: { description: 'coverage as of asOf', schema: platformCoverageSchema }, ...readErrors },
  },
  {
    method: 'post',
    path: '/api/v1/platforms',
    summary: 'Register a platform (audited, with the reason)',
    tag: 'platforms',
    auth: 'api-token',
    body: newPlatformSchema,
    responses: { 201: { description: 'the platform', schema: platformSchema }, ...writeErrors },
  },
  {
    method: 'patch',
    path: '/api/v1/platforms/:id',
    summary: 'Change a platform’s fields, e.g. declare it built (audited, with the reason)',
    tag: 'platforms',
    auth: 'api-token',
    params: platformIdParams,
    body: platformPatchSchema,
    responses: { 200: { description: 'the platform', schema: platformSchema }, ...writeErrors, ...notFound },
  },
  {
    method: 'delete',
    path: '/api/v1/platforms/:id',
    summary: 'Remove a platform and its probe history (audited; ?reason= is required)',
    tag: 'platforms',
    auth: 'api-token',
    params: platformIdParams,
    query: platformDeleteQuery,
    responses: {
      200: { description: 'removed', schema: z.object({ removed: z.number().int() }) },
      ...writeErrors,
      ...notFound,
    },
  },
];
