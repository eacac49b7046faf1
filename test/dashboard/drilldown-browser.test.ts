import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { readCoverage } from '../../server/coverage/read.ts';
import { createDashboardUsers, PASSWORD, seedDevices } from '../helpers/dashboard.ts';
import { repoRoot } from '../helpers/cli.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { startTestServer, testRoster, lanzhouTestSchool, type TestServer } from '../helpers/server.ts';
import { openTestBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';

/*
 * Issue 13 item 6 in Chromium: a province deployment (Gansu, 620000) with schools in two prefectures, drilled
 * by clicking province → prefecture → county → school, in Chinese and English, with the figures of each level
 * adding up to its parent's; and the country (000000) with its 31 provinces.
 */
const outputDir = path.join(repoRoot, 'test-output');

/** The test roster (Linxia county and Kangle, prefecture 622900) and one school in Lanzhou's Chengguan district. */
const gansuRoster = [...testRoster, lanzhouTestSchool];

let server: TestServer;
let browser: TestBrowser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await server?.close();
});

/** A live classroom PC with a projector at the Lanzhou school, through the real enroll and report routes. */
async function reportFromLanzhou() {
  const enrolled = await server.app.request('/api/v1/enroll', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: await server.enrollmentToken('6201020001'),
      hostname: 'lz-pc',
      hardware: { uuid: 'uuid-lz' },
      classroom: '1',
    }),
  });
  expect(enrolled.status).toBe(201);
  const { deviceKey } = (await enrolled.json()) as { deviceKey: string };
  const sent = await server.app.request('/api/v1/reports', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${deviceKey}` },
    body: JSON.stringify({
      reports: [makeReport({ at: server.clock() - 60_000, downMbps: 150, displays: [projector] })],
    }),
  });
  expect(sent.status).toBe(200);
}

/** The headline "connected schools" figure: its measured count and what it is counted against. */
async function headline(page: Page): Promise<{ value: number; of: number; text: string }> {
  const figure = page.locator('.figure').first();
  const [value, of] = (await figure.locator('.value').textContent())!.split('/').map((n) => Number(n.trim()));
  return { value: value!, of: of!, text: (await figure.textContent())! };
}

/** The sum of one numeric column of a children table (a bar cell reads "n (占学校 p%)"). */
async function columnSum(table: Locator, column: number): Promise<number> {
  const cells = await table.locator(`tbody tr td:nth-child(${column})`).allTextContents();
  return cells.reduce((sum, cell) => sum + Number(cell.split(' ')[0]!.replace(/,/g, '')), 0);
}

async function expectClean(page: Page) {
  const text = await page.locator('main').textContent();
  expect(text).not.toContain('undefined');
  expect(text).not.toContain('NaN');
}

describe('drill-down in Chromium', () => {
  it(
    'takes the bureau from the province through a prefecture and a county to a school, figures adding up, in both languages',
    { timeout: 180_000 },
    async () => {
      server = await startTestServer({ root: '620000', roster: gansuRoster });
      await createDashboardUsers(server);
      await seedDevices(server);
      await reportFromLanzhou();
      fs.mkdirSync(outputDir, { recursive: true });
      browser = await openTestBrowser(server.url);
      const { page, offSite } = browser;
      const province = await readCoverage(server.store, null, server.clock());
      const linxia = await readCoverage(server.store, '622900', server.clock());
      expect(province.schools.connected).toBeGreaterThan(linxia.schools.connected);

      // The province: its prefectures, the connected column adding up to the headline, the share target beside it.
      await signIn(page, server.url, 'bureau');
      await expect.poll(() => new URL(page.url()).pathname).toBe('/');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('全省概览 · 甘肃省');
      const prefectures = page.locator('#prefecture-table');
      expect(await prefectures.locator('tbody tr').count()).toBe(province.children.length);
      expect(await prefectures.locator('thead').textContent()).toContain('州（市）');
      const top = await headline(page);
      expect(top).toMatchObject({ value: province.schools.connected, of: 4 });
      expect(top.text).toContain('目标：占学校 100%');
      expect(await page.locator('.figure').nth(2).textContent()).toContain('目标：占教室 90%');
      expect(await columnSum(prefectures, 4)).toBe(top.value);
      expect(await columnSum(prefectures, 3)).toBe(4);
      expect(await page.locator('svg.chart polyline.measured').count()).toBe(2);
      expect(await page.locator('svg.chart').first().getAttribute('aria-label')).toContain('目标 占学校 100%（4）');
      await expectClean(page);
      await page.screenshot({ path: path.join(outputDir, 'drilldown-province-zh.png'), fullPage: true });

      // One level down: Linxia, its eight counties, the breadcrumb back to the province.
      await prefectures.getByRole('link', { name: '临夏回族自治州' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/divisions/622900');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('州（市） · 临夏回族自治州');
      expect(await page.locator('nav.breadcrumb').textContent()).toBe('甘肃省临夏回族自治州');
      const counties = page.locator('#county-table');
      expect(await counties.locator('tbody tr').count()).toBe(8);
      const prefecture = await headline(page);
      expect(prefecture).toMatchObject({ value: linxia.schools.connected, of: 3 });
      expect(prefecture.text).toContain('目标：占学校 100%');
      expect(await columnSum(counties, 4)).toBe(prefecture.value);
      expect(await columnSum(counties, 3)).toBe(3);
      await expectClean(page);

      // Its counties as CSV and XLSX, as the table shows them.
      const [csvDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: '导出 CSV' }).click(),
      ]);
      expect(csvDownload.suggestedFilename()).toMatch(/^divisions-622900-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = fs
        .readFileSync((await csvDownload.path())!, 'utf8')
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(csv).toHaveLength(9);
      expect(csv[0]).toMatch(/^代码,县（市）,学校数,/);
      expect(csv[2]).toMatch(/^622921,临夏县,2,1,/);
      const [xlsxDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: '导出 Excel' }).click(),
      ]);
      expect(xlsxDownload.suggestedFilename()).toMatch(/^divisions-622900-.*\.xlsx$/);
      expect(
        fs
          .readFileSync((await xlsxDownload.path())!)
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');

      // A county: today's school list, its figures those of its row one level up.
      await counties.getByRole('link', { name: '临夏县' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/counties/622921');
      expect(await page.locator('nav.breadcrumb').textContent()).toBe('甘肃省临夏回族自治州临夏县');
      expect(await headline(page)).toMatchObject({ value: 1, of: 2 });
      expect(await page.locator('#school-table tbody tr').count()).toBe(2);

      // A school, and back up to the prefecture by its breadcrumb.
      await page.locator('#school-table').getByRole('link', { name: '测试第一小学' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/schools/6229210001');
      expect(await page.locator('nav.breadcrumb').textContent()).toBe('甘肃省临夏回族自治州临夏县测试第一小学');
      await page.locator('nav.breadcrumb').getByRole('link', { name: '临夏回族自治州' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/divisions/622900');

      // The same drill in English.
      await page.getByRole('link', { name: 'English' }).click();
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Prefecture · /);
      expect((await headline(page)).text).toContain('target: 100% of schools');
      expect(await page.locator('#county-table thead').textContent()).toContain('County');
      await expectClean(page);
      await page.locator('nav.breadcrumb a').first().click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Province overview · /);
      expect(await page.locator('#prefecture-table thead').textContent()).toContain('Prefecture');
      expect(await columnSum(page.locator('#prefecture-table'), 4)).toBe(top.value);
      await expectClean(page);
      await page.locator('#prefecture-table a[href="/divisions/620100"]').click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/divisions/620100');
      expect(await headline(page)).toMatchObject({ value: 1, of: 1 });
      expect(await columnSum(page.locator('#county-table'), 4)).toBe(1);
      await page.locator('#county-table a[href="/counties/620102"]').click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/counties/620102');
      expect(await page.locator('#school-table tbody').textContent()).toContain('城关区测试小学');
      await page.screenshot({ path: path.join(outputDir, 'drilldown-county-en.png'), fullPage: true });

      // A county officer's scope stays their county: the prefecture's page is refused by the server.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Username').fill('county-a');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/counties/622921');
      expect(await page.locator('nav.breadcrumb').count()).toBe(0);
      expect((await page.goto(`${server.url}/divisions/622900`))?.status()).toBe(403);
      expect(offSite).toEqual([]);
    },
  );

  it(
    'shows the country’s overview with its 31 provinces, one click from a province',
    { timeout: 120_000 },
    async () => {
      server = await startTestServer({ root: '000000', roster: gansuRoster });
      await createDashboardUsers(server);
      browser = await openTestBrowser(server.url);
      const { page, offSite } = browser;
      await signIn(page, server.url, 'bureau');
      await expect.poll(() => new URL(page.url()).pathname).toBe('/');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('全国概览 · 全国');
      const provinces = page.locator('#province-table');
      expect(await provinces.locator('tbody tr').count()).toBe(31);
      expect(await columnSum(provinces, 3)).toBe(4);
      await expectClean(page);
      await provinces.getByRole('link', { name: '甘肃省' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/divisions/620000');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('省 · 甘肃省');
      expect(await page.locator('nav.breadcrumb').textContent()).toBe('全国甘肃省');
      expect(await columnSum(page.locator('#prefecture-table'), 3)).toBe(4);
      await expectClean(page);
      expect(offSite).toEqual([]);
    },
  );
});
