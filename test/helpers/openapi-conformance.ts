import { gunzipSync } from 'node:zlib';
import { Validator, type Schema } from '@cfworker/json-schema';
import type { App } from '../../server/app.ts';

/*
 * The OpenAPI document held to what the server does, on every API answer the tests see (issue 18 item 11).
 * `conformToDocument(app)` makes the app check each of its own /api/ answers against the document it serves
 * at /api/v1/openapi.json, with a standard JSON Schema validator (not our zod schemas, which the document
 * is generated from, so a generator's slip shows too):
 *  - a documented path and method: the status is among the operation's responses, the media type among
 *    that response's content types, and a JSON body validates against its schema;
 *  - a JSON request body the server accepted (2xx) validates against the documented request body, so the
 *    document never refuses what the server takes (a closed enum the server does not enforce);
 *  - a documented path without that method: 405 with an Allow header naming exactly the documented methods;
 *  - no documented path: 404.
 * Answers that break a rule are collected; `problems()` lists them, and the test helpers fail a test that
 * leaves any (cleanup), so every API test is also a test of the document.
 */

export interface Operation {
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
export interface Document {
  paths: Record<string, Record<string, Operation>>;
}

interface PathTemplate {
  template: string;
  pattern: RegExp;
  operations: Record<string, Operation>;
  params: number;
}

const methods = ['get', 'put', 'post', 'delete', 'patch'];

function templates(document: Document): PathTemplate[] {
  return Object.entries(document.paths)
    .map(([template, operations]) => ({
      template,
      operations,
      params: (template.match(/\{/g) ?? []).length,
      pattern: new RegExp(
        `^${template
          .split(/\{\w+\}/)
          .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}$`,
      ),
    }))
    .sort((a, b) => a.params - b.params); // a literal segment wins over a parameter (…/releases/latest)
}

/** What one answer does wrong against the document; empty when it conforms. */
export async function answerProblems(
  document: Document,
  method: string,
  path: string,
  response: Response,
  validators = new Map<Schema, Validator>(),
  requestBody?: unknown,
): Promise<string[]> {
  const where = `${method} ${path} → ${response.status}`;
  // Every template the path fits, literal segments first (…/platforms/coverage before …/platforms/{id}).
  const matches = templates(document).filter((t) => t.pattern.test(path));
  if (matches.length === 0)
    return response.status === 404 ? [] : [`${where}: no documented path matches, so 404 was expected`];
  const wanted = method === 'HEAD' ? 'get' : method.toLowerCase();
  const match = matches.find((t) => t.operations[wanted]);
  if (!match) {
    const documented = methods.filter((m) => matches.some((t) => t.operations[m]));
    const allow = (response.headers.get('allow') ?? '')
      .split(',')
      .map((m) => m.trim().toLowerCase())
      .filter((m) => m !== '' && m !== 'head');
    const expected = documented.sort().join(', ');
    const templates = matches.map((t) => t.template).join(' and ');
    if (response.status !== 405) return [`${where}: ${templates} documents ${expected} only, so 405 was expected`];
    if (allow.sort().join(', ') !== expected)
      return [`${where}: Allow says "${response.headers.get('allow')}", the document ${expected}`];
    return [];
  }
  const operation = match.operations[wanted]!;
  const documentedResponse = operation.responses[String(response.status)] ?? operation.responses.default;
  const at = `${where} (${method.toLowerCase()} ${match.template})`;
  if (!documentedResponse)
    return [`${at}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
  const problems: string[] = [];
  const requestSchema = operation.requestBody?.content['application/json']?.schema;
  if (requestSchema && requestBody !== undefined && response.status < 300) {
    const wrong = schemaErrors(requestSchema, requestBody, validators);
    if (wrong) problems.push(`${at}: accepted a request body the document refuses: ${wrong}`);
  }
  const contentType = response.headers.get('content-type');
  if (method === 'HEAD' || contentType === null || response.status === 204) return problems;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  const content = documentedResponse.content ?? {};
  if (!content[mediaType])
    return [
      ...problems,
      `${at}: served as ${mediaType}, documented as ${Object.keys(content).join(', ') || 'no content'}`,
    ];
  if (mediaType !== 'application/json') return problems;
  // An answer gzipped for a client that asked (decision 194) is checked as that client reads it.
  const bytes = Buffer.from(await response.clone().arrayBuffer());
  const text = (response.headers.get('content-encoding') === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `${at}: application/json that does not parse: ${text.slice(0, 80)}`];
  }
  const wrong = schemaErrors(content[mediaType]!.schema, body, validators);
  if (wrong) problems.push(`${at}: body does not match the documented schema: ${wrong}`);
  return problems;
}

// What a value does wrong against a schema, in a few words; null when it is valid.
function schemaErrors(schema: Schema, value: unknown, validators: Map<Schema, Validator>): string | null {
  let validator = validators.get(schema);
  if (!validator) validators.set(schema, (validator = new Validator(schema, '2020-12', false)));
  const result = validator.validate(value);
  if (result.valid) return null;
  return result.errors
    .filter((e) => e.keyword !== 'properties' && e.keyword !== 'items' && e.keyword !== '$ref')
    .slice(0, 5)
    .map((e) => `${e.instanceLocation}: ${e.error}`)
    .join('; ');
}

export interface Conformance {
  /** Every rule an answer broke so far, one line each. */
  problems(): string[];
  /** Throws with the list when any answer broke a rule. */
  assertNone(): void;
}

/**
 * Makes `app` check every /api/ answer it gives (through app.request and app.fetch alike, so a real
 * listening server over it too) against its own OpenAPI document.
 */
export function conformToDocument(app: App): Conformance {
  const found: string[] = [];
  const validators = new Map<Schema, Validator>();
  const original = app.fetch;
  let document: Promise<Document> | null = null;
  const wrapped: typeof app.fetch = async (request, ...rest) => {
    const url = new URL(request.url);
    const api = url.pathname.startsWith('/api/') && url.pathname !== '/api/v1/openapi.json';
    const sent = api && /json/.test(request.headers.get('content-type') ?? '') ? request.clone().text() : null;
    const response = await original(request, ...rest);
    if (!api) return response;
    let requestBody: unknown;
    try {
      requestBody = sent === null ? undefined : JSON.parse(await sent);
    } catch {
      requestBody = undefined; // not JSON: the server's 400 is what the document says of that
    }
    document ??= Promise.resolve(original(new Request('http://localhost/api/v1/openapi.json'))).then(
      (r) => r.json() as Promise<Document>,
    );
    found.push(
      ...(await answerProblems(await document, request.method, url.pathname, response, validators, requestBody)),
    );
    return response;
  };
  app.fetch = wrapped;
  return {
    problems: () => [...found],
    assertNone: () => {
      if (found.length > 0)
        throw new Error(`API answers that the OpenAPI document does not describe:\n${found.join('\n')}`);
    },
  };
}
