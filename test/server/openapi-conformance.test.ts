import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { routeDocs } from '../../server/app.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { requestJson } from '../helpers/http.ts';
import { answerProblems, type Document } from '../helpers/openapi-conformance.ts';
import { makeReleaseKey, trustReleaseKey } from '../helpers/release-keys.ts';
import { makeReport } from '../helpers/reports.ts';
import { byTest, createTestContext, type TestContext } from '../helpers/server.ts';

/*
 * Issue 18 item 11: the OpenAPI document must say exactly what the server does. Every documented operation is
 * called the right way, without credentials, with a bad parameter, a bad query and an empty body, as CSV and
 * XLSX where offered, and with a method its path lacks; the test context checks each answer against the
 * served document (helpers/openapi-conformance.ts) and cleanup fails on any mismatch.
 */

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const mediaTypes = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

async function world() {
  ctx = await createTestContext();
  const key = makeReleaseKey();
  await trustReleaseKey(ctx.store, key);
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: { token: await ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: { uuid: 'u-1' }, classroom: '1' },
  });
  expect(enrolled.status).toBe(201);
  const bundle = Buffer.from('#!/usr/bin/env node\n// santong-agent 0.2.0\nconsole.log("agent")\n');
  await publishAgentRelease(ctx.store, bundle, key.sign(bundle), ctx.clock(), byTest);
  const report = makeReport({ at: ctx.clock() - 60_000, downMbps: 80 });
  // Any interface type is accepted (and kept as unknown): the document must not refuse it either.
  report.network.interfaces![0]!.type = 'bluetooth-pan';
  const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
    body: { reports: [report] },
    bearer: enrolled.body.deviceKey,
  });
  expect(sent.status).toBe(200);
  return { bureau: await ctx.apiToken(), deviceKey: enrolled.body.deviceKey as string };
}

/** A documented path with its parameters filled: a real school, county or version, or a value the params refuse. */
function filled(path: string, bad = false) {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    if (bad) return name === 'id' ? 'not-a-number' : 'x'.repeat(80);
    if (name === 'version') return '0.2.0';
    if (name === 'id') return '1';
    return path.includes('counties') ? '622921' : '6229210001';
  });
}

describe('the OpenAPI document against the server', () => {
  it('describes every answer of every documented operation, errors and downloads included', async () => {
    const { bureau, deviceKey } = await world();
    const request = (method: string, path: string, bearer?: string, body?: unknown) =>
      ctx.app.request(path, {
        method: method.toUpperCase(),
        headers: {
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const statuses = new Set<string>();
    for (const doc of routeDocs) {
      const bearer = doc.auth === 'api-token' ? bureau : doc.auth === 'device-key' ? deviceKey : undefined;
      const body = doc.body ? {} : undefined;
      const seen = async (what: string, response: Response) => {
        statuses.add(`${doc.method} ${doc.path} ${what} ${response.status}`);
        await response.arrayBuffer();
      };
      await seen('as documented', await request(doc.method, filled(doc.path), bearer, body));
      if (bearer) await seen('without credentials', await request(doc.method, filled(doc.path), undefined, body));
      if (doc.params) await seen('bad parameter', await request(doc.method, filled(doc.path, true), bearer, body));
      if (doc.query) await seen('bad query', await request(doc.method, `${filled(doc.path)}?format=pdf`, bearer));
      if (doc.query?.shape.format)
        for (const [format, mediaType] of Object.entries(mediaTypes)) {
          const response = await request(doc.method, `${filled(doc.path)}?format=${format}`, bearer);
          expect(response.status, `${doc.path}?format=${format}`).toBe(200);
          expect(response.headers.get('content-type')).toContain(mediaType);
          await seen(format, response);
        }
    }
    // A method each path lacks: 405 with an Allow header (the context checks it names the documented ones).
    for (const path of new Set(routeDocs.map((d) => d.path))) {
      const methods = routeDocs.filter((d) => d.path === path).map((d) => d.method as string);
      const missing = ['get', 'post', 'put', 'patch', 'delete'].find((m) => !methods.includes(m))!;
      const response = await request(missing, filled(path), bureau);
      expect(response.status, `${missing} ${path}`).toBe(405);
      expect(response.headers.get('allow'), path).toBeTruthy();
    }
    const unknown = await request('get', '/api/v1/no-such-thing', bureau);
    expect(unknown.status).toBe(404);
    // The listed cases of issue 18 were reached, not skipped.
    for (const path of ['/api/v1/schools/:code', '/api/v1/platforms', '/api/v1/agent/releases/:version/bundle'])
      expect(
        [...statuses].some((s) => s.startsWith(`get ${path} bad`) && s.endsWith(' 400')),
        path,
      ).toBe(true);
    expect(statuses).toContain('get /api/v1/agent/releases/:version/bundle as documented 200');
  });

  it('gives the school type and urban/rural codes with their names, and coverage tables with progress', async () => {
    const { bureau } = await world();
    const school = await requestJson(ctx.app, 'GET', '/api/v1/schools/6229210002', { bearer: bureau });
    expect(school.body.school).toMatchObject({
      typeCode: '218',
      typeName: '小学教学点',
      typeNameEn: 'Teaching point',
      urbanRuralCode: '220',
      urbanRuralName: '村庄',
      urbanRuralNameEn: 'village',
    });
    const csv = await requestJson(ctx.app, 'GET', '/api/v1/coverage?format=csv', { bearer: bureau });
    const [header, ...rows] = (csv.body as string).slice(1).trimEnd().split('\r\n');
    const columns = header!.split(',');
    for (const column of [
      'progress_year',
      'schools_connected_expected_share',
      'schools_connected_measured_share',
      'schools_connected_status',
      'classrooms_equipped_status',
      'plan_schools_target',
      'plan_classrooms_target',
    ])
      expect(columns).toContain(column);
    const json = await requestJson(ctx.app, 'GET', '/api/v1/coverage', { bearer: bureau });
    const linxia = rows.map((r) => r.split(',')).find((r) => r[0] === '622921')!;
    const county = json.body.counties.find((c: { code: string }) => c.code === '622921');
    expect(linxia[columns.indexOf('schools_connected_status')]).toBe(county.progress.schoolsConnected.status);
    expect(Number(linxia[columns.indexOf('plan_schools_target')])).toBe(json.body.schools.target);

    const xlsx = await ctx.app.request('/api/v1/coverage/counties/622921?format=xlsx', {
      headers: { authorization: `Bearer ${bureau}` },
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers).toContain('type_name');
    expect(headers).toContain('last_reachable_at (UTC+8)');
    expect(sheet.getRow(2).getCell(headers.indexOf('last_reachable_at (UTC+8)') + 1).value).toBeInstanceOf(Date);
    expect(sheet.autoFilter).toBeTruthy();
  });
});

describe('the conformance check itself', () => {
  const document: Document = {
    paths: {
      '/api/v1/things/{code}': {
        get: {
          responses: {
            '200': { content: { 'application/json': { schema: { type: 'object', required: ['n'] } } } },
            '404': { content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
      '/api/v1/bundle': {
        get: { responses: { '200': { content: { 'application/octet-stream': { schema: { type: 'string' } } } } } },
        post: {
          requestBody: {
            content: {
              'application/json': {
                schema: { type: 'object', properties: { type: { enum: ['wired', 'wireless'] } } },
              },
            },
          },
          responses: { '200': { content: { 'application/json': { schema: {} } } } },
        },
      },
    },
  };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

  it('catches each kind of drift issue 18 lists', async () => {
    const problems = (method: string, path: string, response: Response, body?: unknown) =>
      answerProblems(document, method, path, response, undefined, body);
    // A 400 answered but not documented.
    expect(await problems('GET', '/api/v1/things/x', json(400, { error: 'bad' }))).toHaveLength(1);
    // Served as one media type, documented as another.
    const js = new Response('x', { headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    expect((await problems('GET', '/api/v1/bundle', js))[0]).toMatch(/served as text\/javascript/);
    // A body that breaks the schema.
    expect(await problems('GET', '/api/v1/things/x', json(200, {}))).toHaveLength(1);
    // A value the server took though the document's enum refuses it.
    expect(await problems('POST', '/api/v1/bundle', json(200, {}), { type: 'bluetooth' })).toHaveLength(1);
    // 404 (or 405 without Allow) for a method the path lacks.
    expect(await problems('DELETE', '/api/v1/bundle', json(404, {}))).toHaveLength(1);
    expect(await problems('DELETE', '/api/v1/bundle', json(405, {}, { allow: 'GET' }))).toHaveLength(1);
    // And what conforms passes.
    expect(await problems('DELETE', '/api/v1/bundle', json(405, {}, { allow: 'GET, HEAD, POST' }))).toEqual([]);
    expect(await problems('GET', '/api/v1/things/x', json(200, { n: 1 }))).toEqual([]);
    expect(await problems('GET', '/api/v1/nothing', json(404, {}))).toEqual([]);
  });
});
