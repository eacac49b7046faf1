import { z } from 'zod';
import { apiErrorSchema } from '../../shared/schemas/error.ts';
import type { ResponseDoc, RouteDoc } from './openapi-registry.ts';
import { rateLimitedPaths } from './request-limits.ts';
import { XLSX_MEDIA_TYPE } from './xlsx.ts';

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;

/** Hono's /:code becomes OpenAPI's /{code}. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function parameters(doc: RouteDoc) {
  const list: unknown[] = [];
  for (const [location, object] of [
    ['path', doc.params],
    ['query', doc.query],
  ] as const) {
    if (!object) continue;
    const json = toSchema(object, 'input') as {
      properties?: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      list.push({
        name,
        in: location,
        required: location === 'path' || (json.required ?? []).includes(name),
        description: schema.description,
        schema,
      });
    }
  }
  return list;
}

/*
 * Answers a route gives because of what it is, not what it does: the validator's 400, the auth middleware's
 * 401, the body limit's 413 and the rate limit's 429. Stated here once so no route can forget one (the
 * property-based tester of issue 18 found 400s answered and undocumented on five routes).
 */
function answersOfItsKind(doc: RouteDoc): Record<number, ResponseDoc> {
  const kinds: Record<number, ResponseDoc> = {};
  if (doc.params || doc.query || doc.body)
    kinds[400] = { description: 'invalid input; issues name each bad parameter or field', schema: apiErrorSchema };
  if (doc.auth === 'api-token') {
    kinds[401] = { description: 'no or unknown API token', schema: apiErrorSchema };
    // The scope check: a school account's session, or a county token outside its county.
    kinds[403] = { description: 'outside what this token or session may see or change', schema: apiErrorSchema };
  }
  if (doc.auth === 'device-key')
    kinds[401] = { description: 'device key missing, unknown or revoked', schema: apiErrorSchema };
  if (doc.method !== 'get') kinds[413] = { description: 'request body too large', schema: apiErrorSchema };
  if (doc.method !== 'get' && rateLimitedPaths.includes(doc.path))
    kinds[429] = { description: 'rate limited; Retry-After says when to try again', schema: apiErrorSchema };
  // Every route reads or writes the database; while it restarts or is down, the answer says so (decision 197).
  kinds[503] = {
    description:
      'the database is unreachable (restarting or down), nothing was stored; Retry-After says when to try again',
    schema: apiErrorSchema,
  };
  return kinds;
}

/** An OpenAPI 3.1 document built from the routes' own zod schemas, so it cannot drift from validation. */
export function buildOpenApiDocument(docs: readonly RouteDoc[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const responses: Record<string, unknown> = {};
    const stated = { ...answersOfItsKind(doc), ...doc.responses };
    for (const status of Object.keys(stated).sort()) {
      const response = stated[Number(status)]!;
      const content: Record<string, unknown> = {};
      if (response.schema) content['application/json'] = { schema: toSchema(response.schema, 'output') };
      if (response.csv) {
        content['text/csv'] = { schema: { type: 'string', description: '?format=csv: UTF-8 with BOM' } };
        content[XLSX_MEDIA_TYPE] = { schema: { type: 'string', format: 'binary', description: '?format=xlsx' } };
      }
      if (response.binary) content['application/octet-stream'] = { schema: { type: 'string', format: 'binary' } };
      if (response.text) content[response.text] = { schema: { type: 'string' } };
      responses[status] = {
        description: response.description,
        ...(Object.keys(content).length > 0 ? { content } : {}),
      };
    }
    (paths[openApiPath(doc.path)] ??= {})[doc.method] = {
      summary: doc.summary,
      tags: [doc.tag],
      security: doc.auth === 'none' ? [] : [{ [doc.auth === 'device-key' ? 'deviceKey' : 'apiToken']: [] }],
      parameters: parameters(doc),
      ...(doc.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(doc.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'santong API',
      version,
      description:
        'Measured evidence for the rollout of school connectivity (三通两平台): enrollment, report ingest, coverage.',
    },
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'API token from `santong api-token create`' },
        deviceKey: { type: 'http', scheme: 'bearer', description: 'device key returned once by POST /api/v1/enroll' },
      },
    },
    paths,
  };
}
