import { afterEach, describe, expect, it } from 'vitest';
import { readCountySchools, readCoverage } from '../../server/coverage/read.ts';
import type { Db } from '../../server/db/client.ts';
import { programmeFiguresJson, readProgrammeFigures } from '../../server/programme/programme-figures.ts';
import { countySchoolsQuerySchema } from '../../shared/schemas/coverage.ts';
import { requestJson } from '../helpers/http.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { recordingConnection, type Ran } from '../helpers/recording-connection.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Issue 13: a coverage read at any level of the tree costs the same few primary-key and index lookups for a
 * prefecture and for the country, so no statement it runs may walk the big tables. Every statement a read
 * runs on a fresh connection is recorded with the values it was run with, and SQLite's own query plan of it
 * (EXPLAIN QUERY PLAN) must hold no SCAN of schools, school_status, reports or division_rollups.
 */
const bigTables = new Set(['schools', 'school_status', 'reports', 'division_rollups']);
const DAY_MS = 86_400_000;

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

/** Schools in two provinces and three prefectures of a national deployment. */
const roster = [
  ['6229210001', '临夏县测试小学', '622921'],
  ['6229210002', '临夏县测试中学', '622921'],
  ['6201020001', '城关区测试小学', '620102'],
  ['1101010001', '东城区测试小学', '110101'],
].map(([code, name, county]) => ({
  code: code!,
  name: name!,
  county_code: county!,
  type_code: '211',
  urban_rural_code: '220',
  classroom_count: 2,
}));

/** Table names by the alias a statement gives them (drizzle quotes names; hand-written SQL aliases them). */
function aliases(source: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of source.matchAll(/\b(?:from|join)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)) {
    map.set(m[1]!, m[1]!);
    const alias = m[2];
    if (alias && !/^(where|on|left|inner|join|order|group|limit|using|cross)$/i.test(alias)) map.set(alias, m[1]!);
  }
  return map;
}

/** SQLite's query plan of a statement as run, one line per step. */
const explain = (db: Db, { source, args }: Ran) =>
  (db.$client.prepare(`explain query plan ${source}`).all(...args) as { detail: string }[]).map((row) => row.detail);

/** The big tables a statement's plan scans, with the plan lines that do. */
function scansOf(db: Db, ran: Ran): string[] {
  const names = aliases(ran.source);
  return explain(db, ran).filter((detail) => {
    const scanned = /^SCAN (\w+)/.exec(detail)?.[1];
    return scanned !== undefined && bigTables.has(names.get(scanned) ?? scanned);
  });
}

async function report(school: string, classroom: string) {
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken(school),
      hostname: 'pc',
      hardware: { uuid: crypto.randomUUID() },
      classroom,
    },
  });
  expect(enrolled.status).toBe(201);
  const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
    body: { reports: [makeReport({ at: ctx.clock(), downMbps: 150, displays: [projector], reachable: true })] },
    bearer: enrolled.body.deviceKey,
  });
  expect(sent.status).toBe(200);
}

/** Distinct statements of a run (transaction control, which has no plan, left out), with the big tables each scans. */
function scanningStatements(db: Db, ran: Ran[]) {
  const seen = new Set<string>();
  const statements = ran.filter(
    (r) => /^\s*(select|insert|update|delete|with)\b/i.test(r.source) && !seen.has(r.source) && seen.add(r.source),
  );
  if (process.env.SANTONG_SHOW_PLANS)
    for (const r of statements)
      console.log(r.source.replace(/\s+/g, ' ').slice(0, 160), '\n   ', explain(db, r).join(' | '));
  return {
    statements,
    scanning: statements
      .map((r) => ({ sql: r.source.replace(/\s+/g, ' ').trim(), scans: scansOf(db, r) }))
      .filter((r) => r.scans.length > 0),
  };
}

const page = { page: 1, pageSize: 100 };

/** A national deployment with a PC reporting at each school, and a recording connection to read it. */
async function nationalWorld(): Promise<{ ran: Ran[]; reader: Db }> {
  ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z'), root: '000000', roster });
  for (const { code } of roster) await report(code, '1');
  const ran: Ran[] = [];
  return { ran, reader: recordingConnection(ctx.dataDir, ran) };
}

describe('coverage reads by query plan', () => {
  it('read every level of a national tree by primary key and index, never scanning schools, statuses, reports or rollups', async () => {
    const { ran, reader: db } = await nationalWorld();
    const store = sqliteStore(db);
    const now = ctx.clock();
    const levels = [null, '620000', '622900', '622921'];
    for (const code of levels) await readCoverage(store, code, now, page);
    await readCountySchools(store, '622921', countySchoolsQuerySchema.parse({}), now, true);
    // Three weeks on, every PC has gone quiet: the read's sweep re-evaluates schools before it answers.
    ctx.clock.advance(21 * DAY_MS);
    const later = ctx.clock();
    for (const code of levels) await readCoverage(store, code, later, page);
    expect((await readCoverage(store, null, later, page)).devices.live).toBe(0);

    const sources = [...new Set(ran.map((r) => r.source))];
    expect(sources.some((s) => s.includes('division_rollups'))).toBe(true);
    expect(sources.some((s) => s.includes('school_status'))).toBe(true);
    const { statements, scanning } = scanningStatements(db, ran);
    expect(statements.length).toBeGreaterThan(15);
    expect(scanning).toEqual([]);
    // The check itself sees a scan, aliased or not, of a table or of a whole index.
    expect(scansOf(db, { source: 'select count(*) from reports r where r.down_mbps > ?', args: [1] })).toHaveLength(1);
    expect(scansOf(db, { source: 'select sum(connected) from school_status', args: [] })).toHaveLength(1);
  });

  // The declared teacher spaces beside the coverage come from the rollups too (decision 164).
  it('the API top read (coverage with teacher spaces and platforms) never scans the big tables either', async () => {
    const { ran, reader } = await nationalWorld();
    const store = sqliteStore(reader);
    await readProgrammeFigures(store, null, ctx.clock(), page);
    await readProgrammeFigures(store, '622921', ctx.clock(), page);
    await programmeFiguresJson(store, '620000', ctx.clock(), { ...page, counties: true });
    expect(scanningStatements(reader, ran).scanning).toEqual([]);
  });
});
