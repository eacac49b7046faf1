import { Hono } from 'hono';
import { z } from 'zod';
import { idParams } from '../../shared/schemas/route-params.ts';
import {
  closureRequestSchema,
  closureSchema,
  declarationListQuerySchema,
  declarationRequestSchema,
  declarationSchema,
  withdrawalSchema,
  type Declaration,
} from '../../shared/schemas/declarations.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import type { AppEnv } from '../http/app-env.ts';
import { actorOf } from '../access/principals.ts';
import { assertBureauWide, assertDivisionInScope, divisionScopeOf } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import { tableResponse, type TableColumn as CsvColumn } from '../http/table-response.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';
import { addClosure, listClosures, removeClosure } from '../programme/closures.ts';
import { declareStatus, listDeclarations, withdrawDeclaration } from '../programme/declarations.ts';
import { divisionContains } from '../divisions/containment.ts';

const declarationColumns: CsvColumn<Declaration>[] = [
  { header: 'id', value: (d) => d.id },
  { header: 'county_code', value: (d) => d.countyCode },
  { header: 'school_code', value: (d) => d.schoolCode },
  { header: 'indicator', value: (d) => d.indicator },
  { header: 'classroom_code', value: (d) => d.classroomCode },
  { header: 'declared_at', value: (d) => d.declaredAt, time: 'instant' },
  { header: 'declared_by', value: (d) => d.declaredBy },
  { header: 'reason', value: (d) => d.reason },
  { header: 'withdrawn_at', value: (d) => d.withdrawnAt, time: 'instant' },
  { header: 'measured', value: (d) => d.measured },
  { header: 'conflict', value: (d) => d.conflict },
];

/** Declared statuses (kept apart from measurements) and the school calendar that pauses evidence ageing. */
export const declarationRoutes = new Hono<AppEnv>()
  .use('/api/v1/declarations', apiAuth)
  .use('/api/v1/declarations/*', apiAuth)
  .use('/api/v1/closures', apiAuth)
  .use('/api/v1/closures/*', apiAuth)
  .get('/api/v1/declarations', validate('query', declarationListQuerySchema), async (c) => {
    const query = c.req.valid('query');
    const list = await listDeclarations(
      c.get('store'),
      {
        countyScope: divisionScopeOf(c.get('principal')),
        status: query.status,
        conflict: query.conflict,
      },
      c.get('clock')(),
    );
    if (query.format !== 'json') return tableResponse(query.format, declarationColumns, list, 'declarations');
    return c.json({ declarations: list });
  })
  .post('/api/v1/declarations', validate('json', declarationRequestSchema), async (c) => {
    const request = c.req.valid('json');
    const principal = c.get('principal');
    const declaration = await declareStatus(
      c.get('store'),
      request,
      c.get('clock')(),
      { actor: actorOf(principal), reason: request.reason },
      divisionScopeOf(principal),
    );
    return c.json(declaration, 201);
  })
  .post(
    '/api/v1/declarations/:id/withdraw',
    validate('param', idParams),
    validate('json', withdrawalSchema),
    async (c) => {
      const principal = c.get('principal');
      const declaration = await withdrawDeclaration(
        c.get('store'),
        c.req.valid('param').id,
        c.get('clock')(),
        { actor: actorOf(principal), reason: c.req.valid('json').reason },
        divisionScopeOf(principal),
      );
      return c.json(declaration);
    },
  )
  .get('/api/v1/closures', async (c) => {
    const scope = divisionScopeOf(c.get('principal'));
    return c.json({
      closures: (await listClosures(c.get('store'))).filter(
        (x) => scope === null || x.countyCode === null || divisionContains(scope, x.countyCode),
      ),
    });
  })
  .post('/api/v1/closures', validate('json', closureRequestSchema), async (c) => {
    const { reason, ...closure } = c.req.valid('json');
    const principal = c.get('principal');
    if (closure.countyCode) assertDivisionInScope(principal, closure.countyCode);
    else assertBureauWide(principal);
    return c.json(
      await addClosure(c.get('store'), closure, c.get('clock')(), { actor: actorOf(principal), reason }),
      201,
    );
  })
  .post('/api/v1/closures/:id/remove', validate('param', idParams), validate('json', withdrawalSchema), async (c) => {
    const principal = c.get('principal');
    const closure = (await listClosures(c.get('store'))).find((x) => x.id === c.req.valid('param').id);
    if (closure?.countyCode) assertDivisionInScope(principal, closure.countyCode);
    else if (closure) assertBureauWide(principal);
    // An unknown id is left to removeClosure's 404 (decision 022: unknown is 404, out of scope 403).
    await removeClosure(c.get('store'), c.req.valid('param').id, c.get('clock')(), {
      actor: actorOf(principal),
      reason: c.req.valid('json').reason,
    });
    return c.json({ removed: true });
  });

const errors = {
  400: { description: 'invalid input; issues name each bad field', schema: apiErrorSchema },
  401: { description: 'no or unknown API token', schema: apiErrorSchema },
  403: { description: 'outside the token’s county', schema: apiErrorSchema },
};
export const declarationDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/declarations',
    summary: 'Declared statuses in scope, with whether a measurement agrees and whether evidence contradicts them',
    tag: 'declarations',
    auth: 'api-token',
    query: declarationListQuerySchema,
    responses: {
      200: {
        description: 'declarations (?format=csv or xlsx)',
        schema: z.object({ declarations: z.array(declarationSchema) }),
        csv: true,
      },
      ...errors,
    },
  },
  {
    method: 'post',
    path: '/api/v1/declarations',
    summary:
      'Declare a school connected or a classroom equipped where no agent can show it yet (audited, reason required)',
    tag: 'declarations',
    auth: 'api-token',
    body: declarationRequestSchema,
    responses: {
      201: { description: 'recorded', schema: declarationSchema },
      ...errors,
      404: { description: 'no such school', schema: apiErrorSchema },
      409: { description: 'already declared', schema: apiErrorSchema },
    },
  },
  {
    method: 'post',
    path: '/api/v1/declarations/:id/withdraw',
    summary: 'Withdraw a declaration (kept on record; audited)',
    tag: 'declarations',
    auth: 'api-token',
    params: idParams,
    body: withdrawalSchema,
    responses: {
      200: { description: 'withdrawn', schema: declarationSchema },
      ...errors,
      404: { description: 'no such declaration', schema: apiErrorSchema },
      409: { description: 'already withdrawn', schema: apiErrorSchema },
    },
  },
  {
    method: 'get',
    path: '/api/v1/closures',
    summary: 'School closures (holidays) that pause evidence ageing',
    tag: 'calendar',
    auth: 'api-token',
    responses: { 200: { description: 'closures', schema: z.object({ closures: z.array(closureSchema) }) }, ...errors },
  },
  {
    method: 'post',
    path: '/api/v1/closures',
    summary: 'Add a closure for one county or (prefecture-wide token) every county',
    tag: 'calendar',
    auth: 'api-token',
    body: closureRequestSchema,
    responses: { 201: { description: 'added', schema: closureSchema }, ...errors },
  },
  {
    method: 'post',
    path: '/api/v1/closures/:id/remove',
    summary: 'Remove a mistaken closure (audited)',
    tag: 'calendar',
    auth: 'api-token',
    params: idParams,
    body: withdrawalSchema,
    responses: {
      200: { description: 'removed', schema: z.object({ removed: z.boolean() }) },
      ...errors,
      404: { description: 'no such closure', schema: apiErrorSchema },
    },
  },
];
