import { Hono } from 'hono';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import { planSchema } from '../../shared/schemas/plan.ts';
import type { AppEnv } from '../http/app-env.ts';
import { apiAuth } from '../auth/middleware.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { currentPlan } from '../plan/current.ts';

export const planRoutes = new Hono<AppEnv>().get('/api/v1/plan', apiAuth, async (c) =>
  c.json(await currentPlan(c.get('store'))),
);

export const planDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/plan',
    summary: 'The plan in force: division tree, targets, yearly milestones and coverage rules',
    tag: 'plan',
    auth: 'api-token',
    responses: {
      200: { description: 'the plan', schema: planSchema },
      401: { description: 'no or unknown API token', schema: apiErrorSchema },
    },
  },
];
