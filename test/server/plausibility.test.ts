import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../agent/http.ts';
import { measureThroughput } from '../../agent/collect/throughput.ts';
import { evaluateSchools } from '../../server/coverage/evaluate.ts';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { inTransaction } from '../../server/db/client.ts';
import { foldOldReports } from '../../server/ingest/retention.ts';
import { speedtests } from '../../server/db/schema.ts';
import { recordSpeedtest, serverMeasurement } from '../../server/speedtest/record.ts';
import { requestJson } from '../helpers/http.ts';
import { createDashboardUsers, DashboardClient } from '../helpers/dashboard.ts';
import { makeReport } from '../helpers/reports.ts';
import { createTestContext, startTestServer, testClock, type TestContext, type TestServer } from '../helpers/server.ts';

/*
 * Issue 11, item 7: any device key could report 100,000 Mbps and it counted as measured. Each test
 * reproduces a forged claim through the real report route and shows it stored, flagged and not counted.
 */
const T0 = Date.parse('2026-03-02T08:00:00Z');
const DAY = 86_400_000;
let ctx: TestContext | TestServer;
afterEach(async () => ('close' in ctx ? ctx.close() : ctx?.cleanup()));

async function enrolled(schoolCode = '6229210001') {
  const response = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: { token: await ctx.enrollmentToken(schoolCode), hostname: 'pc', hardware: { uuid: crypto.randomUUID() } },
  });
  expect(response.status).toBe(201);
  const { deviceKey, deviceId } = response.body as { deviceKey: string; deviceId: string };
  const send = async (report: ReturnType<typeof makeReport>) => {
    const sent = await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      body: { reports: [report] },
      bearer: deviceKey,
    });
    expect(sent.status).toBe(200);
  };
  return {
    deviceId,
    deviceKey,
    schoolCode,
    send,
    claim: (downMbps: number) => send(makeReport({ at: ctx.clock(), downMbps })),
  };
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

async function school(code = '6229210001') {
  const answer = await requestJson(ctx.app, 'GET', `/api/v1/schools/${code}`, { bearer: await ctx.apiToken() });
  return answer.body.school;
}

/** A report whose PC has only links of the given speeds (null: the link does not say). */
function reportOverLinks(
  downMbps: number,
  links: { type: 'wired' | 'wireless' | 'virtual'; speedMbps: number | null }[],
) {
  const report = makeReport({ at: ctx.clock(), downMbps });
  report.network.interfaces = links.map((link, i) => ({ name: `if${i}`, up: true, ipv4: [], ipv6: [], ...link }));
  return report;
}

describe('implausible download claims are stored and shown, never counted', () => {
  it('does not count a download faster than the PC’s own link, and keeps counting the honest ones', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const pc = await enrolled();
    await pc.claim(100_000); // the report's own eth0 says 1000 Mbps
    let s = await school();
    expect(s).toMatchObject({
      bandwidthMbps: null,
      meetsStandard: false,
      flaggedSamples: 1,
      flagReasons: ['above-link'],
      bandwidthSource: null,
    });

    await pc.claim(96);
    s = await school();
    expect(s).toMatchObject({ bandwidthMbps: 96, meetsStandard: true, flaggedSamples: 1, bandwidthSource: 'agent' });
    const device = (await requestJson(ctx.app, 'GET', '/api/v1/schools/6229210001', { bearer: await ctx.apiToken() }))
      .body.devices[0];
    expect(device).toMatchObject({
      medianDownMbps: 96,
      downSource: 'agent',
      flaggedSamples: 1,
      flagReasons: ['above-link'],
    });
  });

  it('caps what a PC whose links do not say their speed can claim, and ignores virtual adapters', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const pc = await enrolled();
    const links = [
      { type: 'wireless' as const, speedMbps: null },
      { type: 'virtual' as const, speedMbps: 100_000 },
    ];
    await pc.send(reportOverLinks(20_000, links));
    expect(await school()).toMatchObject({ bandwidthMbps: null, flaggedSamples: 1, flagReasons: ['above-cap'] });
    // An unknown Wi-Fi link may well carry 300 Mbps: that claim counts.
    await pc.send(reportOverLinks(300, links));
    expect(await school()).toMatchObject({ bandwidthMbps: 300, meetsStandard: true, flaggedSamples: 1 });
    // The fastest wired port bounds a PC with two known links.
    await pc.send(
      reportOverLinks(900, [
        { type: 'wired', speedMbps: 100 },
        { type: 'wired', speedMbps: 1000 },
      ]),
    );
    expect((await school()).flaggedSamples).toBe(1);
  });

  it('takes the server’s own measurement over the PC’s claim, and flags a claim far above it', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const pc = await enrolled();
    await pc.claim(95);
    expect(await school()).toMatchObject({ bandwidthMbps: 95, meetsStandard: true, bandwidthSource: 'agent' });
    // The server served 2.5 MB and the upload arrived a second after the download was asked for: 20 Mbps.
    const measured = serverMeasurement({ startedAt: 1_000, sent: 2_500_000, done: true }, 2_000, {
      bytes: 2_500_000,
      ms: 1_000,
    });
    expect(measured).toEqual({ downBytes: 2_500_000, downMbps: 20, upBytes: 2_500_000, upMbps: 20 });
    await recordSpeedtest(ctx.store, { id: pc.deviceId, schoolCode: pc.schoolCode }, measured, ctx.clock());
    await pc.claim(950);
    const s = await school();
    expect(s).toMatchObject({
      bandwidthMbps: 20,
      meetsStandard: false,
      bandwidthSource: 'server',
      flaggedSamples: 2,
      flagReasons: ['above-server'],
    });
    // The officer sees why on the school page and in the county's list, in Chinese and in English.
    await createDashboardUsers(ctx);
    const officer = DashboardClient.forApp(ctx);
    await officer.signIn('county-a');
    const page = text((await officer.get('/schools/6229210001')).text);
    expect(page).toContain('带宽取自服务器对本校测速的实测结果');
    expect(page).toContain('30 天内有 2 次终端自报的下行速率不可信，已保留显示但不计入达标：远高于服务器实测');
    const list = text((await officer.get('/counties/622921?flagged=true')).text);
    expect(list).toContain('符合条件的学校: 1');
    expect(list).toMatch(/服务器实测 存疑 2 远高于服务器实测/);
    await officer.get('/lang/en');
    const english = text((await officer.get('/schools/6229210001')).text);
    expect(english).toContain('2 download speeds PCs reported within 30 days are implausible');
    const csv = (await officer.get('/counties/622921/schools.csv?flagged=true')).text;
    expect(csv).toContain('far above the server’s measurement');
  });

  it('measures nothing from a download the agent broke off or one too small to time', () => {
    expect(
      serverMeasurement({ startedAt: 0, sent: 3_000_000, done: false }, 100, { bytes: 2_000_000, ms: 50 }).downMbps,
    ).toBeNull();
    expect(serverMeasurement({ startedAt: 0, sent: 10_000, done: true }, 100, { bytes: 10, ms: 1 })).toMatchObject({
      downMbps: null,
      upMbps: null,
    });
    expect(serverMeasurement(undefined, 100, { bytes: 2_000_000, ms: 100 })).toMatchObject({
      downMbps: null,
      upMbps: 160,
    });
  });
});

describe('the server measures the speed tests it serves', () => {
  it('records its own figure for a real agent’s test over 127.0.0.1, and that figure becomes the school’s', async () => {
    ctx = await startTestServer();
    const pc = await enrolled();
    const dispatcher = createDispatcher({});
    const claimed = await measureThroughput(
      { serverUrl: (ctx as TestServer).url, deviceKey: pc.deviceKey, dispatcher },
      2_000_000,
    );
    await dispatcher.close();
    expect(claimed?.downMbps).toBeGreaterThan(0);
    const [row] = ctx.db.select().from(speedtests).all();
    expect(row).toMatchObject({ deviceId: pc.deviceId, downBytes: 2_000_000, upBytes: 2_000_000 });
    expect(row!.downMbps).toBeGreaterThan(0);
    expect(await school()).toMatchObject({ bandwidthMbps: row!.downMbps, bandwidthSource: 'server' });
  });
});

describe('upgrading a database with claims stored before flags existed', () => {
  it('flags the old forged claim in migration 0015 and re-derives every school', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const pc = await enrolled();
    await pc.claim(100_000);
    await pc.send(reportOverLinks(20_000, [{ type: 'wireless', speedMbps: null }]));
    await pc.claim(60);
    // As before migration 0014: no flags, the stored figures counted every claim, bodies JSON text (before 0022).
    inTransaction(ctx.db, () => {
      ctx.db.$client.prepare('update reports set down_flag = null, body = report_json(body)').run();
      ctx.db.$client
        .prepare('update device_status set down_source = null, flagged_samples = 0, flag_reasons = null')
        .run();
    });
    await ctx.store.transaction((tx) => evaluateSchools(tx, ['6229210001'], ctx.clock()));
    expect((await school()).bandwidthMbps).toBe(20_000);
    const migration = fs.readFileSync(
      new URL('../../migrations/0015_plausibility_backfill.sql', import.meta.url),
      'utf8',
    );
    for (const statement of migration.split('--> statement-breakpoint')) ctx.db.$client.exec(statement);
    expect(ctx.db.$client.prepare('select down_flag from reports order by down_mbps').pluck().all()).toEqual([
      null,
      'above-cap',
      'above-link',
    ]);
    expect(await school()).toMatchObject({
      bandwidthMbps: 60,
      meetsStandard: false,
      flaggedSamples: 2,
      flagReasons: ['above-cap', 'above-link'],
    });
  });
});

describe('bounded storage', () => {
  it('drops the server’s measurements past retention, as it folds the reports beside them', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const pc = await enrolled();
    const measured = serverMeasurement({ startedAt: 0, sent: 25_000_000, done: true }, 2_000, {
      bytes: 25_000_000,
      ms: 2_000,
    });
    await recordSpeedtest(ctx.store, { id: pc.deviceId, schoolCode: pc.schoolCode }, measured, ctx.clock());
    ctx.clock.advance(100 * DAY);
    await recordSpeedtest(ctx.store, { id: pc.deviceId, schoolCode: pc.schoolCode }, measured, ctx.clock());
    ctx.clock.advance(100 * DAY);
    await foldOldReports(ctx.store, ctx.clock(), 180);
    expect(ctx.db.select({ finishedAt: speedtests.finishedAt }).from(speedtests).all()).toEqual([
      { finishedAt: T0 + 100 * DAY },
    ]);
  });
});

describe('county officers find the flagged schools; verify recomputes the flags', () => {
  it('filters a county’s schools by ?flagged=true and exports the flag and its reason', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    await (await enrolled('6229210001')).claim(100_000);
    await (await enrolled('6229210002')).claim(50);
    const token = await ctx.apiToken('622921');
    const flagged = await requestJson(ctx.app, 'GET', '/api/v1/coverage/counties/622921?flagged=true', {
      bearer: token,
    });
    expect(flagged.body.schools.rows.map((r: { code: string }) => r.code)).toEqual(['6229210001']);
    const unflagged = await requestJson(ctx.app, 'GET', '/api/v1/coverage/counties/622921?flagged=false', {
      bearer: token,
    });
    expect(unflagged.body.schools.rows.map((r: { code: string }) => r.code)).toEqual(['6229210002']);
    const csv = await (
      await ctx.app.request('/api/v1/coverage/counties/622921?format=csv', {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
    const [header, first, second] = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const column = (line: string, name: string) => line.split(',')[header!.split(',').indexOf(name)];
    expect(column(first!, 'flagged_samples')).toBe('1');
    expect(column(first!, 'flag_reasons')).toBe('above-link');
    expect(column(second!, 'bandwidth_source')).toBe('agent');
  });

  it('names a school whose stored flag was tampered with', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const pc = await enrolled();
    await pc.claim(100_000);
    // Someone with the database clears the flag and re-derives the figures: the claim would now count.
    const tamper = async (flag: string | null) => {
      ctx.db.$client.prepare('update reports set down_flag = ?').run(flag);
      await ctx.store.transaction((tx) => evaluateSchools(tx, ['6229210001'], ctx.clock()));
    };
    await tamper(null);
    expect((await school()).meetsStandard).toBe(true);
    const differences = (await verifyCoverage(ctx.store, ctx.clock())).differences;
    expect(differences).toContain('school 6229210001 bandwidthMbps: stored 100000, recomputed null');
    expect(differences).toContain('school 6229210001 flaggedSamples: stored 0, recomputed 1');
    expect(differences).toContain('school 6229210001 meetsStandard: stored true, recomputed false');
    await tamper('above-link');
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([]);
    // A device's own row is checked too.
    ctx.db.$client.prepare('update device_status set flagged_samples = 0').run();
    expect((await verifyCoverage(ctx.store, ctx.clock())).differences).toEqual([
      `device ${pc.deviceId} flaggedSamples: stored 0, recomputed 1`,
    ]);
    await tamper('above-link');
  });
});
