import { Hono } from 'hono';
import { z } from 'zod';
import { divisionCodeSchema } from '../../shared/schemas/division-code.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import type { AppEnv } from '../http/app-env.ts';
import { assertBureauWide } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import { readAuditLog } from '../audit/read.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';

const instant = z.iso
  .datetime({ offset: true, message: 'an ISO 8601 date-time, e.g. 2027-01-01T00:00:00+08:00' })
  .transform((s) => Date.parse(s));

export const auditQuerySchema = z.object({
  entityType: z
    .string()
    .max(64)
    .optional()
    .describe('school, device, declaration, plan, api-token, enrollment-token, closure, user …'),
  entityId: z.string().max(128).optional(),
  actor: z.string().max(128).optional().describe('e.g. user:wang, api-token:3, cli:root'),
  action: z.string().max(64).optional().describe('e.g. declaration.create'),
  countyCode: divisionCodeSchema.optional(),
  from: instant.optional(),
  to: instant.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000).default(100),
});

const entrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  countyCode: z.string().nullable(),
  oldValue: z.unknown(),
  newValue: z.unknown(),
  reason: z.string(),
});

/** The append-only audit log, for the bureau. */
export const auditRoutes = new Hono<AppEnv>().get(
  '/api/v1/audit',
  apiAuth,
  validate('query', auditQuerySchema),
  async (c) => {
    assertBureauWide(c.get('principal'));
    return c.json({ entries: await readAuditLog(c.get('store'), c.req.valid('query')) });
  },
);

export const auditDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/audit',
    summary: 'Who changed what, when, from what to what, and why (bureau only; newest first)',
    tag: 'audit',
    auth: 'api-token',
    query: auditQuerySchema,
    responses: {
      200: { description: 'entries', schema: z.object({ entries: z.array(entrySchema) }) },
      400: { description: 'bad filter', schema: apiErrorSchema },
      401: { description: 'no or unknown API token', schema: apiErrorSchema },
      403: { description: 'not prefecture-wide', schema: apiErrorSchema },
    },
  },
];
