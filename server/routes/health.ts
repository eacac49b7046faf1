import { Hono } from 'hono';
import { z } from 'zod';
import { statement } from '../db/store.ts';
import type { AppEnv } from '../http/app-env.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';

const healthSchema = z.object({ status: z.literal('ok'), time: z.string() });

const probe = statement<{ one: number }, []>('select 1 as "one"');

/** Liveness for load balancers and the benchmark baseline: one trivial query (prepared once), no auth. */
export const healthRoutes = new Hono<AppEnv>().get('/healthz', async (c) => {
  await c.get('store').row(probe);
  return c.json({ status: 'ok' as const, time: new Date(c.get('clock')()).toISOString() });
});

export const healthDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'The server is up and its database answers',
    tag: 'operations',
    auth: 'none',
    responses: { 200: { description: 'up', schema: healthSchema } },
  },
];
