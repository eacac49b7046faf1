import { z } from 'zod';
import type { RouteDoc } from './openapi-registry.ts';

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

/** An OpenAPI 3.1 document built from the routes' own zod schemas, so it cannot drift from validation. */
export function buildOpenApiDocument(docs: readonly RouteDoc[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(doc.responses)) {
      const content: Record<string, unknown> = {};
      if (response.schema) content['application/json'] = { schema: toSchema(response.schema, 'output') };
      if (response.csv) content['text/csv'] = { schema: { type: 'string', description: 'UTF-8 with BOM' } };
      if (response.xlsx)
        content['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] = {
          schema: { type: 'string', format: 'binary' },
        };
      if (response.binary) content['application/octet-stream'] = { schema: { type: 'string', format: 'binary' } };
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
