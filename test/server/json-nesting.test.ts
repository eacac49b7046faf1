import fc from 'fast-check';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { routeDocs } from '../../server/app.ts';
import { MAX_JSON_DEPTH, nestingBeyond } from '../../server/http/json-nesting.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport } from '../helpers/reports.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/*
 * Issue 11, item 4: 4 MiB of nested `[` held the event loop in JSON.parse for seconds before any check,
 * and one enrollment token mints as many device keys as an attacker wants. A body nested deeper than any
 * request needs is now refused on its raw bytes, at the first byte too deep, before parsing.
 */
const MiB = 1024 * 1024;
const encode = (text: string) => new TextEncoder().encode(text);

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** How deep a JSON Schema (zod's, for a route body) nests arrays and objects; Infinity when recursive. */
function schemaDepth(
  schema: Record<string, any> | undefined,
  defs: Record<string, any>,
  seen: readonly string[] = [],
): number {
  if (!schema || typeof schema !== 'object') return 0;
  if (schema.$ref) {
    const name = String(schema.$ref).split('/').at(-1)!;
    return seen.includes(name) ? Infinity : schemaDepth(defs[name], defs, [...seen, name]);
  }
  const inner = (list: unknown[]) => Math.max(0, ...list.map((s) => schemaDepth(s as Record<string, any>, defs, seen)));
  let depth = inner([...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]);
  if (schema.properties || schema.additionalProperties)
    depth = Math.max(depth, 1 + inner([...Object.values(schema.properties ?? {}), schema.additionalProperties]));
  if (schema.items || schema.prefixItems)
    depth = Math.max(depth, 1 + inner([schema.items, ...(schema.prefixItems ?? [])]));
  return schema.type === 'object' || schema.type === 'array' ? Math.max(depth, 1) : depth;
}

describe('JSON nesting on the raw bytes', () => {
  it('leaves room for every body a route takes: the deepest needs at most half the limit', () => {
    const depths = routeDocs
      .filter((doc) => doc.body)
      .map((doc) => {
        const json = z.toJSONSchema(doc.body!, { io: 'input', unrepresentable: 'any' }) as Record<string, any>;
        return { route: `${doc.method} ${doc.path}`, depth: schemaDepth(json, json.$defs ?? {}) };
      });
    expect(depths.find((d) => d.route === 'post /api/v1/reports')?.depth).toBe(7);
    for (const d of depths) expect(d.depth, d.route).toBeLessThanOrEqual(MAX_JSON_DEPTH / 2);
  });

  it('counts exactly as JSON nests, strings and escaped quotes skipped', () => {
    const depthOf = (value: unknown): number =>
      value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (value) => {
        const bytes = encode(JSON.stringify(value));
        const depth = depthOf(value);
        expect(nestingBeyond(bytes, depth)).toBe(-1);
        if (depth > 0) expect(nestingBeyond(bytes, depth - 1)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2_000 },
    );
    expect(nestingBeyond(encode(JSON.stringify({ name: '"[[[[\\"{{{{' })), 1)).toBe(-1);
  });

  it('refuses a report body of nested brackets with a 400 that names the limit, while the server keeps answering', async () => {
    server = await startTestServer();
    const enrolled = await requestJson(server.app, 'POST', '/api/v1/enroll', {
      body: { token: await server.enrollmentToken('6229210001'), hostname: 'pc-1', hardware: { uuid: 'pc-1' } },
    });
    const key = enrolled.body.deviceKey as string;
    const post = (body: string | Uint8Array) =>
      fetch(`${server!.url}/api/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body,
      });
    // The test server takes report bodies of up to 1 MiB (production: 4 MiB); the scan does not care how big.
    const size = MiB - 64;
    const nested = [
      '['.repeat(size),
      '{"reports":['.padEnd(size, '{"a":['),
      `{"reports":[${'{"x":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}]}`,
    ];
    // Four at once, as in the issue, beside a real batch and the health check.
    const answers = await Promise.all([...nested, nested[0]!].map((body) => post(body)));
    const valid = await post(JSON.stringify({ reports: [makeReport({ at: Date.now() - 60_000 })] }));
    const health = await fetch(`${server.url}/healthz`);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      const error = (await answer.json()) as { code: string; error: string };
      expect(error.code).toBe('json_too_deep');
      expect(error.error).toContain(`more than ${MAX_JSON_DEPTH} deep`);
    }
    expect(valid.status).toBe(200);
    expect(health.status).toBe(200);
  });

  it('lets a body exactly as deep as the limit through to validation', async () => {
    server = await startTestServer();
    const enrolled = await requestJson(server.app, 'POST', '/api/v1/enroll', {
      body: { token: await server.enrollmentToken('6229210001'), hostname: 'pc-2', hardware: { uuid: 'pc-2' } },
    });
    const atLimit = `{"reports":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    const answer = await requestJson(server.app, 'POST', '/api/v1/reports', {
      rawBody: atLimit,
      bearer: enrolled.body.deviceKey,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_input');
  });
});
