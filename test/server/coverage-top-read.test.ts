import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addPlatform } from '../../server/programme/platform-registry.ts';
import { programmeFiguresJson } from '../../server/programme/programme-figures.ts';
import { recordProbe } from '../../server/programme/platform-probe.ts';
import { requestJson } from '../helpers/http.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { recordingConnection, type Ran } from '../helpers/recording-connection.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { byTest, createTestContext, testClock, testRoster, type TestContext } from '../helpers/server.ts';

/*
 * The top read, GET /api/v1/coverage, as clients see it: Linxia's answer byte for byte as it was before
 * decisions 162 and 163 (the fixture was written by the code of main at e7298a3).
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const fixture = path.join(import.meta.dirname, 'fixtures', 'linxia-top-read.json');

/** A PC enrolled at a school reports a projector and the given download, `ago` ms before the clock's instant. */
async function pcReports(school: string, ago: number, downMbps: number) {
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken(school),
      hostname: 'class-pc',
      hardware: { uuid: `8f2d6a52-1f7e-4b7b-9d55-${school}00` },
      classroom: '1',
    },
  });
  expect(enrolled.status).toBe(201);
  const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
    bearer: enrolled.body.deviceKey,
    body: { reports: [makeReport({ at: ctx.clock() - ago, downMbps, displays: [projector] })] },
  });
  expect(sent.status).toBe(200);
}

/** One PC reporting at a school, a teacher-space declaration and a probed platform, at a fixed instant. */
async function linxiaWorld() {
  // Mid-2016: between two milestones, so every progress figure is interpolated and the answer is sensitive to it.
  ctx = await createTestContext({ clock: testClock('2016-06-15T02:00:00Z') });
  await pcReports('6229210001', 60_000, 120);
  const declared = await requestJson(ctx.app, 'PUT', '/api/v1/schools/6229220001/teacher-spaces', {
    bearer: await ctx.apiToken(),
    body: { teachers: 30, spacesOpened: 20, spacesVerified: 12, reason: 'operator report 2016-06' },
  });
  expect(declared.status).toBe(200);
  const platform = await addPlatform(
    ctx.store,
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
  await recordProbe(
    ctx.store,
    platform.id,
    { up: true, statusCode: 200, latencyMs: 40, error: null },
    ctx.clock() - 60_000,
  );
}

async function topRead(query = '') {
  const response = await ctx.app.request(`/api/v1/coverage${query}`, {
    headers: { authorization: `Bearer ${await ctx.apiToken()}` },
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

  it('lists county rows unasked only where they are the division’s children, and on request anywhere', async () => {
    ctx = await createTestContext({
      clock: testClock('2026-03-02T08:00:00Z'),
      root: '000000',
      roster: [
        { ...testRoster[0]!, code: '6229210001', county_code: '622921' },
        { ...testRoster[0]!, code: '1101010001', county_code: '110101' },
      ],
    });
    const read = async (query: string) => JSON.parse((await topRead(query)).body);
    const codes = (rows: { code: string }[]) => rows.map((r) => r.code);

    const country = await read('');
    expect(country.children).toHaveLength(31);
    expect(country.counties).toEqual([]);
    expect(country.teacherSpaces.counties).toEqual([]);
    expect(country.countyPage).toEqual({ page: 1, pageSize: 0, total: expect.any(Number) });
    expect(country.countyPage.total).toBeGreaterThan(2800);
    const asked = await read('?counties=true&pageSize=50&page=2');
    expect(asked.countyPage).toEqual({ page: 2, pageSize: 50, total: country.countyPage.total });
    expect(asked.counties).toHaveLength(50);
    expect(codes(asked.teacherSpaces.counties)).toEqual(codes(asked.counties));
    // Everything but the county rows is the same answer.
    const { counties: _, countyPage: __, teacherSpaces, ...rest } = asked;
    expect(country).toMatchObject(rest);
    expect(teacherSpaces.teachers).toBe(country.teacherSpaces.teachers);

    // A province's children are prefectures: counties on request only. A municipality's are districts: listed.
    expect((await read('?division=620000')).counties).toEqual([]);
    expect((await read('?division=620000&counties=true')).counties.length).toBeGreaterThan(80);
    const beijing = await read('?division=110000');
    expect(codes(beijing.counties)).toEqual(codes(beijing.children));
    expect(beijing.counties.find((c: { code: string }) => c.code === '110101').schools.registered).toBe(1);
    const linxia = await read('?division=622900');
    expect(codes(linxia.counties)).toEqual(codes(linxia.children));
    expect(codes(linxia.counties)).toHaveLength(8);
    expect((await read('?division=622900&counties=false')).counties).toEqual([]);

    const wrong = await requestJson(ctx.app, 'GET', '/api/v1/coverage?counties=yes', { bearer: await ctx.apiToken() });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body.issues)).toContain('counties');
  });

  it('is built once per read-model version: a repeated read is one lookup, and any changed figure is seen next', async () => {
    await linxiaWorld();
    const ran: Ran[] = [];
    const reader = sqliteStore(recordingConnection(ctx.dataDir, ran));
    const rows = { page: 1, pageSize: 100 };
    const first = await programmeFiguresJson(reader, null, ctx.clock(), rows);
    expect(ran.length).toBeGreaterThan(10);
    ran.length = 0;
    expect(await programmeFiguresJson(reader, null, ctx.clock(), rows)).toBe(first);
    // The version is read: nothing else (the kept answer is as of its asOf, when its read's sweep ran).
    expect(ran.map((r) => r.source)).toEqual(['select version from read_model_version where id = 1']);

    // A report from another school's PC, at the same instant: the server's connection writes, the next read sees it.
    const before = JSON.parse((await topRead()).body);
    await pcReports('6229220001', 30_000, 150);
    const after = JSON.parse((await topRead()).body);
    expect(after.asOf).toBe(before.asOf);
    expect(after.schools.connected).toBe(before.schools.connected + 1);
    expect(
      JSON.parse(new TextDecoder().decode(await programmeFiguresJson(reader, null, ctx.clock(), rows))).schools
        .connected,
    ).toBe(before.schools.connected + 1);
    // So is a declaration that moves no measured figure.
    const declared = await requestJson(ctx.app, 'PUT', '/api/v1/schools/6229210002/teacher-spaces', {
      bearer: await ctx.apiToken(),
      body: { teachers: 8, spacesOpened: 8, spacesVerified: 1, reason: 'operator report 2016-06' },
    });
    expect(declared.status).toBe(200);
    expect(JSON.parse((await topRead()).body).teacherSpaces.teachers).toBe(before.teacherSpaces.teachers + 8);
  });

  it('is reused for at most a second of the clock, never for an earlier instant', async () => {
    await linxiaWorld();
    const built = JSON.parse((await topRead()).body).asOf;
    ctx.clock.advance(999);
    expect(JSON.parse((await topRead()).body).asOf).toBe(built);
    ctx.clock.advance(1);
    const later = JSON.parse((await topRead()).body).asOf;
    expect(Date.parse(later) - Date.parse(built)).toBe(1000);
    ctx.clock.advance(-500);
    expect(Date.parse(JSON.parse((await topRead()).body).asOf) - Date.parse(built)).toBe(500);
    // Three weeks on, the PC is silent: the read's sweep moves the figures before the answer is looked up.
    ctx.clock.advance(21 * 86_400_000);
    expect(JSON.parse((await topRead()).body).devices).toMatchObject({ live: 0, silent: 1 });
  });
});
