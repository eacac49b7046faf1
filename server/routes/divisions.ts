import { Hono, type Context } from 'hono';
import { divisionParams, divisionSchema, type DivisionAnswer } from '../../shared/schemas/divisions.ts';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import type { AppEnv } from '../http/app-env.ts';
import { assertDivisionInScope, divisionScopeOf } from '../access/scope.ts';
import { apiAuth } from '../auth/middleware.ts';
import { deploymentTree, type TreeDivision } from '../divisions/deployment.ts';
import { DomainError } from '../errors.ts';
import type { RouteDoc } from '../http/openapi-registry.ts';
import { validate } from '../http/validate.ts';

/*
 * The deployment's division tree over the API (issue 13): a division with its children and its breadcrumb, so a
 * client can walk country → province → prefecture → county and ask /api/v1/coverage?division=CODE at each step.
 * Scoped as coverage is: a token or account confined to a division reads that division and what lies under it.
 */

const ref = (d: TreeDivision) => ({ code: d.code, name: d.name, level: d.level });

/** One division as the API answers it; throws 404 when the tree has no such code. */
async function divisionAnswer(c: Context<AppEnv>, code: string): Promise<DivisionAnswer> {
  const tree = await deploymentTree(c.get('store'));
  const division = tree.get(code);
  if (!division) {
    throw new DomainError(
      'not-found',
      'division_unknown',
      `no division ${code} under this deployment's root ${tree.root.code} (${tree.root.name}); ` +
        `GET /api/v1/divisions lists the root and its children`,
    );
  }
  return {
    ...ref(division),
    pinyin: division.pinyin,
    parent: division.parentCode,
    children: tree.children(code).map(ref),
    ancestors: [...tree.ancestors(code)].reverse().map(ref),
  };
}

export const divisionRoutes = new Hono<AppEnv>()
  .use('/api/v1/divisions', apiAuth)
  .use('/api/v1/divisions/*', apiAuth)
  .get('/api/v1/divisions', async (c) => {
    const own = divisionScopeOf(c.get('principal'));
    return c.json(await divisionAnswer(c, own ?? (await deploymentTree(c.get('store'))).root.code));
  })
  .get('/api/v1/divisions/:code', validate('param', divisionParams), async (c) => {
    const { code } = c.req.valid('param');
    assertDivisionInScope(c.get('principal'), code);
    return c.json(await divisionAnswer(c, code));
  });

const errors = {
  401: { description: 'no or unknown API token', schema: apiErrorSchema },
  403: {
    description: 'a school account (it sees its school only), or a division outside the token’s or account’s own',
    schema: apiErrorSchema,
  },
};

export const divisionDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/api/v1/divisions',
    summary:
      "The principal's own division (the deployment's root for a token of the whole deployment) with its children",
    tag: 'coverage',
    auth: 'api-token',
    responses: { 200: { description: 'the division', schema: divisionSchema }, ...errors },
  },
  {
    method: 'get',
    path: '/api/v1/divisions/:code',
    summary: 'A division of the deployment with its children and its breadcrumb up to the root',
    tag: 'coverage',
    auth: 'api-token',
    params: divisionParams,
    responses: {
      200: { description: 'the division', schema: divisionSchema },
      400: { description: 'the code is not six digits', schema: apiErrorSchema },
      ...errors,
      404: { description: "no such division under the deployment's root", schema: apiErrorSchema },
    },
  },
];
