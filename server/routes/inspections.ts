import { Hono } from 'hono';
import { idParams } from '../../shared/schemas/route-params.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import { inspectionDrawSchema, inspectionResultSchema, inspectionSchema } from '../../shared/schemas/inspections.ts';
import type { AppEnv } from '../http/app-env.ts';
import { actorOf } from '../access/principals.ts';
import { assertBureauWide, divisionScopeOf } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { inspectionInScope, readChecklist } from '../programme/inspection-checklist.ts';
import { drawInspection, readInspection, recordInspectionResult } from '../programme/inspections.ts';
import { InspectionChecklist } from '../views/inspection-checklist.tsx';

/** Spot checks (检查验收): draw a reproducible sample, print checklists, record what inspectors found. */
export const inspectionRoutes = new Hono<AppEnv>()
  .use('/api/v1/inspections', apiAuth)
  .use('/api/v1/inspections/*', apiAuth)
  .post('/api/v1/inspections', validate('json', inspectionDrawSchema), async (c) => {
    assertBureauWide(c.get('principal'));
    const input = c.req.valid('json');
    return c.json(
      await drawInspection(c.get('store'), input, c.get('clock')(), {
        actor: actorOf(c.get('principal')),
        reason: `inspection drawn with seed ${input.seed}`,
      }),
      201,
    );
  })
  .get('/api/v1/inspections/:id', validate('param', idParams), async (c) => {
    const scope = divisionScopeOf(c.get('principal')); // first: a school account gets 403, not word of what exists
    return c.json(inspectionInScope(await readInspection(c.get('store'), c.req.valid('param').id), scope));
  })
  .get('/api/v1/inspections/:id/checklist', validate('param', idParams), async (c) => {
    const scope = divisionScopeOf(c.get('principal'));
    const checklist = await readChecklist(c.get('store'), c.req.valid('param').id, scope, c.get('clock')());
    return c.html(`<!doctype html>${InspectionChecklist(checklist)}`);
  })
  .post(
    '/api/v1/inspections/:id/results',
    validate('param', idParams),
    validate('json', inspectionResultSchema),
    async (c) => {
      const finding = c.req.valid('json');
      const principal = c.get('principal');
      const reason =
        finding.result === 'confirmed'
          ? 'inspection confirmed the recorded status'
          : `inspection found a discrepancy: ${finding.note}`;
      const scope = divisionScopeOf(principal);
      // The answer is the whole inspection: a county token must get back its own county's part only, as on GET.
      return c.json(
        inspectionInScope(
          await recordInspectionResult(
            c.get('store'),
            c.req.valid('param').id,
            finding,
            c.get('clock')(),
            { actor: actorOf(principal), reason },
            scope,
          ),
          scope,
        ),
      );
    },
  );

const errors = {
  400: { description: 'invalid input', schema: apiErrorSchema },
  401: { description: 'no or unknown API token', schema: apiErrorSchema },
  403: { description: 'out of scope', schema: apiErrorSchema },
  404: { description: 'no such inspection or school in it', schema: apiErrorSchema },
};
export const inspectionDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/api/v1/inspections',
    summary:
      'Draw a reproducible spot-check sample, stratified by county and weighted towards declared and ' +
      'conflicting statuses (bureau)',
    tag: 'inspections',
    auth: 'api-token',
    body: inspectionDrawSchema,
    responses: { 201: { description: 'the inspection and its schools', schema: inspectionSchema }, ...errors },
  },
  {
    method: 'get',
    path: '/api/v1/inspections/:id',
    summary: 'An inspection with findings so far (a county sees its own schools)',
    tag: 'inspections',
    auth: 'api-token',
    params: idParams,
    responses: { 200: { description: 'the inspection', schema: inspectionSchema }, ...errors },
  },
  {
    method: 'get',
    path: '/api/v1/inspections/:id/checklist',
    summary: 'Printable checklist, one page per school with the evidence behind each status (HTML)',
    tag: 'inspections',
    auth: 'api-token',
    params: idParams,
    responses: { 200: { description: 'an HTML document to print', text: 'text/html' }, ...errors },
  },
  {
    method: 'post',
    path: '/api/v1/inspections/:id/results',
    summary: "Record an inspector's finding for a school (audited)",
    tag: 'inspections',
    auth: 'api-token',
    params: idParams,
    body: inspectionResultSchema,
    responses: { 200: { description: 'the inspection', schema: inspectionSchema }, ...errors },
  },
];
