import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { localeFor, shareBases, type Lang } from '../../server/i18n/locale.ts';
import { declareStatus } from '../../server/programme/declarations.ts';
import { takeDailySnapshots } from '../../server/programme/history.ts';
import { drawInspection } from '../../server/programme/inspections.ts';
import { recordProbe } from '../../server/programme/platform-probe.ts';
import { addPlatform } from '../../server/programme/platform-registry.ts';
import { declareTeacherSpaces } from '../../server/programme/teacher-spaces.ts';
import { signedInDashboard } from '../../server/routes/dashboard.ts';
import { schoolColumns } from '../../server/views/county-page.tsx';
import { countyColumns } from '../../server/views/overview-page.tsx';
import type { Column } from '../../server/views/table.tsx';
import { createDashboardUsers, DashboardClient, enrollDevice, seedDevices, sendReports } from '../helpers/dashboard.ts';
import { repoRoot } from '../helpers/cli.ts';
import { makeReport } from '../helpers/reports.ts';
import { byTest, startTestServer, testClock, type TestServer } from '../helpers/server.ts';
import { openTestBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';

/*
 * Issue 18 item 6 in Chromium: on every page of the dashboard and the public page, in both languages, the parts
 * shown of a count add up to the total shown beside them (decision 165), and every percentage says what it is a
 * share of (decision 166). The same holds for the dashboard's and the API's CSV exports. Evidence goes through
 * the real enroll and report routes; the page is read from the DOM Chromium built.
 */
const outputDir = path.join(repoRoot, 'test-output');
const DAY = 86_400_000;
const T0 = '2026-03-02T08:00:00Z';
type Report = ReturnType<typeof makeReport>;

let server: TestServer;
let browser: TestBrowser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await server?.close();
});

/** Enrolls a PC and delivers its reports, through the real routes. */
async function deliver(schoolCode: string, hostname: string, classroom: string | undefined, reports: Report[]) {
  const { deviceKey } = await enrollDevice(server, schoolCode, hostname, `uuid-${hostname}`, classroom);
  await sendReports(server, deviceKey, reports);
}

/**
 * A device in each of the four states, and the case: 测试教学点 (6229210002) is not connected, yet one
 * of its PCs reports to this server every hour (its reports say the internet is unreachable). Beside them,
 * a declaration its PCs contradict, teacher spaces, a platform up half the time and an inspection.
 */
async function scenario() {
  server = await startTestServer({ clock: testClock(T0), publicDisclosure: true });
  await createDashboardUsers(server);
  await seedDevices(server); // a1-pc reporting, a2-silent, b1-silent, b-dup never reported
  const now = server.clock();
  await deliver('6229210002', 'a2-reporting', undefined, [makeReport({ at: now - 60_000, reachable: false })]);
  const panel = { kind: 'interactive-panel', vendor: 'SEW' } as const;
  await deliver('6229210001', 'a1-at-risk', '2', [makeReport({ at: now - 6 * DAY, displays: [panel] })]);
  await deliver('6229210001', 'a1-tv', '3', [
    makeReport({ at: now - 60_000, displays: [{ kind: 'large-display', vendor: 'HSN' }] }),
  ]);
  await declareStatus(
    server.store,
    { schoolCode: '6229210002', indicator: 'connected', reason: 'fibre is in' },
    now,
    byTest,
    null,
  );
  await declareTeacherSpaces(
    server.store,
    '6229210001',
    { teachers: 40, spacesOpened: 30, spacesVerified: 20 },
    byTest,
    now,
  );
  const platform = await addPlatform(
    server.store,
    {
      kind: 'resource',
      level: 'prefecture',
      ownerCode: '622900',
      name: '州资源平台',
      url: 'http://zy.example.cn/',
      builtOn: '2017-06-01',
    },
    byTest,
    now,
  );
  await recordProbe(
    server.store,
    platform.id,
    { up: true, statusCode: 200, latencyMs: 12, error: null },
    now - 2 * DAY,
  );
  await recordProbe(
    server.store,
    platform.id,
    { up: false, statusCode: 502, latencyMs: 8, error: 'HTTP 502' },
    now - DAY,
  );
  await drawInspection(server.store, { perCounty: 1, seed: 'parts' }, now, byTest);
  // A finished day for the history export.
  server.clock.advance(DAY);
  expect((await takeDailySnapshots(server.store, server.clock())).length).toBeGreaterThan(0);
}

/** Every page a signed-in bureau can open, each route with concrete parameters, and the public page. */
function pagesToRead(): string[] {
  const concrete: Record<string, string[]> = {
    '/counties/:code': ['/counties/622921', '/counties/622922'],
    '/schools/:code': ['/schools/6229210001', '/schools/6229210002', '/schools/6229220001'],
    '/inspections/:id': ['/inspections/1'],
    // A division page exists below the root only; Linxia is the root here, so it is the overview.
    '/divisions/:code': [],
  };
  const paths = signedInDashboard()
    .routes.filter((r) => r.method === 'GET' && !/\.(csv|xlsx|mjs|sig)$/.test(r.path))
    .flatMap((r) => concrete[r.path] ?? [r.path]);
  // The printable inspection checklist is the API's, which a dashboard session may read.
  return [...new Set([...paths, '/public', '/api/v1/inspections/1/checklist'])];
}

interface Scope {
  where: string;
  totals: Record<string, string[]>;
  parts: Record<string, string[]>;
}

// Run in the page (the tests are compiled without the DOM's types, so these are JavaScript text).
const SCOPES = `[...document.querySelectorAll('tr, [data-sum]')].map((scope) => {
  const totals = {};
  const parts = {};
  for (const el of scope.querySelectorAll('[data-total], [data-part]')) {
    const total = el.getAttribute('data-total');
    const part = el.getAttribute('data-part');
    if (total) (totals[total] ??= []).push(el.textContent);
    if (part) (parts[part] ??= []).push(el.textContent);
  }
  return { where: scope.textContent.replace(/\\s+/g, ' ').slice(0, 120), totals, parts };
})`;
const TEXT = `[document.body.innerText, ...[...document.querySelectorAll('[aria-label]')].map((el) => el.getAttribute('aria-label'))].join('\\n')`;

/** Every row and [data-sum] element on the page, with the text of its marked totals and parts. */
function readScopes(page: Page): Promise<Scope[]> {
  return page.evaluate<Scope[]>(SCOPES);
}

/** The leading count of a cell's text ("1,081 (占学校 72.5%)" is 1081). */
function count(text: string): number {
  const match = /^\s*([\d,]+)/.exec(text);
  if (!match) throw new Error(`no count in "${text}"`);
  return Number(match[1]!.replace(/,/g, ''));
}

/** The groups of each scope whose parts add up to their total, and the scopes where they do not. */
function checkSums(scopes: Scope[]) {
  const groups: string[] = [];
  const wrong: string[] = [];
  for (const scope of scopes) {
    for (const group of new Set([...Object.keys(scope.totals), ...Object.keys(scope.parts)])) {
      const totals = scope.totals[group] ?? [];
      const parts = (scope.parts[group] ?? []).map(count);
      const sum = parts.reduce((a, b) => a + b, 0);
      if (totals.length !== 1 || count(totals[0]!) !== sum)
        wrong.push(`${group}: [${totals.join('|')}] ≠ ${parts.join(' + ')} in "${scope.where}"`);
      else groups.push(group);
    }
  }
  return { groups, wrong };
}

/** What the page says: its visible text and the accessible names of its charts. */
function readText(page: Page): Promise<string> {
  return page.evaluate<string>(TEXT);
}

/** The base phrases of one language as patterns: `占学校 {p}` matches "占学校 72.5%". */
function sharePhrases(lang: Lang): RegExp[] {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return shareBases.map((base) => {
    const template = localeFor(lang).t(`share.${base}`);
    // A phrase that is the bare percentage would excuse every percentage: each names its base in words.
    expect({ base, words: template.replace('{p}', '').trim().length > 1 }).toEqual({ base, words: true });
    const [before, after] = template.split('{p}').map(escape);
    return new RegExp(`${before}[\\d.,]+%${after}`, 'g');
  });
}

/** The percentages in `text` that do not name their base. */
function baselessPercentages(text: string, langs: Lang[]): string[] {
  const stripped = langs.flatMap(sharePhrases).reduce((rest, phrase) => rest.replace(phrase, '¤'), text);
  return [...stripped.matchAll(/.{0,30}\d\s*%.{0,10}/g)].map((m) => m[0]);
}

/** Reads the rows of a CSV answer (BOM dropped) keyed by header. */
function csvRows(text: string): Record<string, string>[] {
  return parse(text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
}

/** The rows of a dashboard export where a group's part columns do not add up to its total column. */
function exportSums<Row>(rows: Record<string, string>[], columns: Column<Row>[], lang: Lang) {
  const t = localeFor(lang).t;
  const wrong: string[] = [];
  let checked = 0;
  for (const row of rows)
    for (const group of ['schools', 'classrooms', 'equipped', 'devices']) {
      const total = columns.filter((c) => c.sums?.total === group).map((c) => Number(row[t(c.label)]));
      const parts = columns.filter((c) => c.sums?.partOf === group).map((c) => Number(row[t(c.label)]));
      if (total.length === 0) continue;
      checked++;
      if (total.length !== 1 || total[0] !== parts.reduce((a, b) => a + b, 0) || parts.some(Number.isNaN))
        wrong.push(`${group}: ${total} ≠ ${parts.join(' + ')} in ${JSON.stringify(row)}`);
    }
  return { checked, wrong };
}

describe('parts that add up and percentages that name their base', () => {
  it('holds on every page in Chinese and English, read in Chromium', { timeout: 240_000 }, async () => {
    await scenario();
    fs.mkdirSync(outputDir, { recursive: true });
    browser = await openTestBrowser(server.url);
    const { page, offSite } = browser;
    await signIn(page, server.url, 'bureau');
    const pages = pagesToRead();
    expect(pages).toEqual(expect.arrayContaining(['/', '/counties/622921', '/schools/6229210002', '/platforms']));

    const seen = new Map<string, string[]>();

    const texts = new Map<string, string>();
    for (const lang of ['zh-CN', 'en'] as const) {
      await page.goto(`${server.url}/lang/${lang}?back=/`);
      for (const pathname of pages) {
        const answer = await page.goto(`${server.url}${pathname}`);
        expect({ pathname, status: answer?.status() }).toEqual({ pathname, status: 200 });
        const { groups, wrong } = checkSums(await readScopes(page));
        expect({ pathname, lang, wrong }).toEqual({ pathname, lang, wrong: [] });
        seen.set(`${lang} ${pathname}`, groups);
        const text = await readText(page);
        texts.set(`${lang} ${pathname}`, text);
        // The public page and the printable checklist have no language switch: they speak both at once.
        const bilingual = pathname === '/public' || pathname.endsWith('/checklist');
        const langs: Lang[] = bilingual ? ['zh-CN', 'en'] : [lang];
        expect({ pathname, lang, baseless: baselessPercentages(text, langs) }).toEqual({
          pathname,
          lang,
          baseless: [],
        });
        // "在线" / "live" read as "has internet": the device state is 正常上报 / reporting (decision 165).
        expect({ pathname, online: text.match(/\blive\b|在线/gi) }).toEqual({
          pathname,
          online: null,
        });
      }
    }

    // Not vacuous: the pages with percentages showed them with their bases, and the pages that take
    // counts apart were read and added up.
    for (const [key, phrase] of [
      ['zh-CN /', /占目标 \d/],
      ['en /', /\d% of target/],
      ['zh-CN /counties/622921', /占学校 50%/],
      ['en /schools/6229210001', /\(80% of the standard\)/],
      ['zh-CN /platforms', /占探测次数 50%/],
      ['en /platforms', /50% of probes/],
      ['zh-CN /public', /占学校 50% · 50% of schools/],
      ['en /api/v1/inspections/1/checklist', /正常上报 reporting/],
    ] as const)
      expect({ key, text: texts.get(key) }).toEqual({ key, text: expect.stringMatching(phrase) });
    for (const lang of ['zh-CN', 'en']) {
      const groups = (p: string) => new Set(seen.get(`${lang} ${p}`));
      expect([...groups('/')].sort()).toEqual(['classrooms', 'devices', 'equipped', 'schools']);
      expect([...groups('/counties/622921')].sort()).toEqual(['classrooms', 'devices', 'equipped']);
      expect([...groups('/schools/6229210001')].sort()).toEqual(['devices', 'equipped']);
      expect(seen.get(`${lang} /`)!.filter((g) => g === 'devices').length).toBe(8 + 1); // 8 counties, the headline
    }

    // The case on the county page: 测试教学点 is not connected, yet one of its two PCs reports.
    await page.goto(`${server.url}/lang/zh-CN?back=/counties/622921`);
    const headers = await page.locator('#school-table thead th').allTextContents();
    const cell = async (school: string, header: string) =>
      (await page
        .locator('#school-table tbody tr', { hasText: school })
        .locator('td')
        .nth(headers.indexOf(header))
        .textContent())!;
    expect(await cell('测试教学点', '联网')).toBe('否');
    expect(await cell('测试教学点', '设备')).toBe('2');
    expect(await cell('测试教学点', '正常上报')).toBe('1');
    expect(await cell('测试教学点', '静默')).toBe('1');
    expect(await cell('测试第一小学', '有风险')).toBe('1');
    expect(await cell('测试第一小学', '未装备')).toBe('0');
    expect(await page.locator('.figure').nth(3).textContent()).toContain('与学校是否联网（能否访问互联网）无关');
    await page.screenshot({ path: path.join(outputDir, 'parts-county-zh.png'), fullPage: true });
    await page.goto(`${server.url}/schools/6229210002`);
    expect(await page.locator('main').textContent()).toContain(
      '本校已注册 2 台设备：1 台正常上报，0 台有风险，1 台静默，0 台从未上报。',
    );
    await page.goto(`${server.url}/lang/en?back=/`);
    expect(await page.locator('.figure').first().locator('.meta').first().textContent()).toMatch(
      /^\d+(\.\d+)?% of target$/,
    );
    expect(await page.locator('#county-table thead').textContent()).toContain('Not connected');
    await page.screenshot({ path: path.join(outputDir, 'parts-overview-en.png'), fullPage: true });
    expect(offSite).toEqual([]);
  });

  it('holds in the dashboard’s exports and the API’s CSV', { timeout: 60_000 }, async () => {
    await scenario();
    const client = DashboardClient.forUrl(server.url);
    await client.signIn('bureau');
    for (const lang of ['zh-CN', 'en'] as const) {
      await client.get(`/lang/${lang}?back=/`);
      const counties = exportSums(
        csvRows((await client.get('/counties.csv')).text),
        countyColumns(localeFor(lang)),
        lang,
      );
      expect(counties).toEqual({ checked: 8 * 4, wrong: [] });
      const schools = exportSums(
        csvRows((await client.get('/counties/622921/schools.csv')).text),
        schoolColumns(localeFor(lang)),
        lang,
      );
      expect(schools).toEqual({ checked: 2 * 3, wrong: [] });
    }

    // The API's tables: every device state, and the equipped classrooms by kind.
    const bearer = { authorization: `Bearer ${await server.apiToken()}` };
    const api = async (p: string) => csvRows(await (await fetch(`${server.url}${p}`, { headers: bearer })).text());
    const coverage = await api('/api/v1/coverage?format=csv');
    const schools = await api('/api/v1/coverage/counties/622921?format=csv');
    const history = await api('/api/v1/history?format=csv');
    expect([coverage.length, schools.length, history.length > 0]).toEqual([8, 2, true]);
    const n = (row: Record<string, string>, ...keys: string[]) => keys.reduce((sum, k) => sum + Number(row[k]), 0);
    const states = ['devices_live', 'devices_at_risk', 'devices_silent', 'devices_never'];
    const kinds = [
      'classrooms_equipped_projector',
      'classrooms_equipped_interactive_panel',
      'classrooms_equipped_large_display',
    ];
    for (const row of [...coverage, ...schools, ...history]) expect(n(row, 'devices_enrolled')).toBe(n(row, ...states));
    for (const row of [...coverage, ...schools]) expect(n(row, 'classrooms_equipped')).toBe(n(row, ...kinds));
    expect(
      n(
        schools.find((r) => r.code === '6229210001')!,
        ...states,
      ),
    ).toBe(3);
  });
});
