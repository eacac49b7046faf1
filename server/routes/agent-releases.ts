import { Hono } from 'hono';
import { z } from 'zod';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import { agentReleaseSchema } from '../../shared/schemas/release.ts';
import type { AppEnv } from '../http/app-env.ts';
import { deviceAuth } from '../auth/middleware.ts';
import { DomainError } from '../errors.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { agentReleaseBundle, latestAgentRelease } from '../releases/releases.ts';

const versionParams = z.object({ version: z.string().min(1).max(64) });

/** Where agents look for a newer version of themselves (daily) and download it. */
export const agentReleaseRoutes = new Hono<AppEnv>()
  .use('/api/v1/agent/*', deviceAuth)
  .get('/api/v1/agent/releases/latest', async (c) => {
    const release = await latestAgentRelease(c.get('store'));
    if (!release)
      throw new DomainError('not-found', 'no_release', 'no agent release has been published on this server');
    return c.json(release);
  })
  .get('/api/v1/agent/releases/:version/bundle', validate('param', versionParams), async (c) => {
    const bundle = await agentReleaseBundle(c.get('store'), c.req.valid('param').version);
    return new Response(new Uint8Array(bundle), {
      headers: { 'content-type': 'text/javascript; charset=utf-8', 'content-length': String(bundle.length) },
    });
  });

const errors = {
  401: { description: 'device key missing, unknown or revoked', schema: apiErrorSchema },
  404: { description: 'nothing published', schema: apiErrorSchema },
};
export const agentReleaseDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/agent/releases/latest',
    summary:
      'The newest agent release: version, SHA-256, the Ed25519 signature made offline, and every key statement ' +
      '(verify with the keys pinned at enrollment)',
    tag: 'agent',
    auth: 'device-key',
    responses: { 200: { description: 'the release', schema: agentReleaseSchema }, ...errors },
  },
  {
    method: 'get',
    path: '/api/v1/agent/releases/:version/bundle',
    summary: 'The bundle of a release (one JavaScript file)',
    tag: 'agent',
    auth: 'device-key',
    params: versionParams,
    responses: {
      200: {
        description: 'the bundle: one JavaScript file, checked against the release SHA-256',
        text: 'text/javascript',
      },
      ...errors,
    },
  },
];
