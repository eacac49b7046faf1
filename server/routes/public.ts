import { Hono } from 'hono';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import { publicCoverageSchema } from '../../shared/schemas/public.ts';
import type { AppEnv } from '../http/app-env.ts';
import { DomainError } from '../errors.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { readPublicCoverage } from '../programme/public-coverage.ts';
import { PublicPage } from '../views/public-page.tsx';

// Off by default (SANTONG_PUBLIC_DISCLOSURE=1 turns it on): publishing is the bureau's decision, not the installer's.
export const publicRoutes = new Hono<AppEnv>()
  .get('/api/v1/public/coverage', async (c) => {
    if (!c.get('publicDisclosure'))
      throw new DomainError(
        'not-found',
        'not_found',
        'no route GET /api/v1/public/coverage; public disclosure is off on this server',
      );
    const now = c.get('clock')();
    return c.json(await readPublicCoverage(c.get('store'), now));
  })
  // The same aggregates as a page anyone can open (信息公开); 404 like the API when disclosure is off.
  .get('/public', async (c) => {
    if (!c.get('publicDisclosure')) return c.text('Not Found', 404);
    const now = c.get('clock')();
    return c.html(`<!doctype html>${PublicPage({ coverage: await readPublicCoverage(c.get('store'), now) })}`);
  });

export const publicDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/public/coverage',
    summary:
      'Public disclosure (信息公开): prefecture and county aggregates only, no school, device or person ' +
      '(when the server enables it)',
    tag: 'public',
    auth: 'none',
    responses: {
      200: { description: 'aggregates as of asOf', schema: publicCoverageSchema },
      404: { description: 'public disclosure is off (SANTONG_PUBLIC_DISCLOSURE is not set)', schema: apiErrorSchema },
    },
  },
];
