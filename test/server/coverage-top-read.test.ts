import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addPlatform } from '../../server/programme/platform-registry.ts';
import { recordProbe } from '../../server/programme/platform-probe.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * The top read, GET /api/v1/coverage, as clients see it: Linxia's answer byte for byte as it was before
 * decisions 162 and 163 (the fixture was written by the code of main at 0f858a6).
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const fixture = path.join(import.meta.dirname, 'fixtures', 'linxia-top-read.json');

/** One PC reporting at a school, a teacher-space declaration and a probed platform, at a fixed instant. */
async function linxiaWorld() {
  // Mid-2016: between two milestones, so every progress figure is interpolated and the answer is sensitive to it.
  ctx = createTestContext({ clock: testClock('2016-06-15T02:00:00Z') });
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: ctx.enrollmentToken('6229210001'),
      hostname: 'class-pc',
      hardware: { uuid: '8f2d6a52-1f7e-4b7b-9d55-622921000100' },
      classroom: '1',
    },
  });
  expect(enrolled.status).toBe(201);
  const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
    bearer: enrolled.body.deviceKey,
    body: { reports: [makeReport({ at: ctx.clock() - 60_000, downMbps: 120, displays: [projector] })] },
  });
  expect(sent.status).toBe(200);
  const declared = await requestJson(ctx.app, 'PUT', '/api/v1/schools/6229220001/teacher-spaces', {
    bearer: ctx.apiToken(),
    body: { teachers: 30, spacesOpened: 20, spacesVerified: 12, reason: 'operator report 2016-06' },
  });
  expect(declared.status).toBe(200);
  const platform = addPlatform(
    ctx.db,
    {
      kind: 'resource',
      level: 'county',
      ownerCode: '622921',
      name: '临夏县教育资源公共服务平台',
      url: 'http://127.0.0.1:9/',
      builtOn: '2016-03-01',
    },
    byTest,
    ctx.clock(),
  );
  recordProbe(ctx.db, platform.id, { up: true, statusCode: 200, latencyMs: 40, error: null }, ctx.clock() - 60_000);
}

async function topRead(query = '') {
  const response = await ctx.app.request(`/api/v1/coverage${query}`, {
    headers: { authorization: `Bearer ${ctx.apiToken()}` },
  });
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), body: await response.text() };
}

describe('the top read', () => {
  it("answers Linxia's prefecture byte for byte as before", async () => {
    await linxiaWorld();
    const answer = await topRead();
    if (process.env.SANTONG_WRITE_FIXTURE) fs.writeFileSync(fixture, JSON.stringify(answer, null, 1) + '\n');
    expect(answer).toEqual(JSON.parse(fs.readFileSync(fixture, 'utf8')));
  });
});
