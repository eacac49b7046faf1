import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardUsers, PASSWORD, seedDevices } from '../helpers/dashboard.ts';
import { repoRoot } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openTestBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';

/*
 * The dashboard in a real browser (test/helpers/browser.ts): every request checked to stay on 127.0.0.1
 * (the pages must work with no internet at all).
 */
const outputDir = path.join(repoRoot, 'test-output');
// Decoded query values that once led Chromium off the site (`/%09/evil.example`) or to a 500 (`/%0a/x`).
const targets = [
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r/evil.example',
  '/.//evil.example',
  '/%2e//evil.example',
  '/\\evil.example',
  '//evil.example',
  ' /\t/evil.example',
  '/counties/622921?connected=false',
];

let server: TestServer;
let browser: TestBrowser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await server?.close();
});

async function openBrowser(): Promise<TestBrowser> {
  browser = await openTestBrowser(server.url);
  return browser;
}

describe('the dashboard in Chromium', () => {
  it(
    'lets a county officer see only their county, filter, export, switch to English and create an enrollment token',
    { timeout: 90_000 },
    async () => {
      server = await startTestServer();
      await createDashboardUsers(server);
      await seedDevices(server);
      fs.mkdirSync(outputDir, { recursive: true });
      const { page, offSite } = await openBrowser();

      await signIn(page, server.url, 'county-a');
      await expect.poll(() => new URL(page.url()).pathname).toBe('/counties/622921');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('临夏县');
      const table = page.locator('#school-table tbody');
      expect(await table.locator('tr').allTextContents()).toEqual([
        expect.stringContaining('测试第一小学'),
        expect.stringContaining('测试教学点'),
      ]);
      expect(await page.content()).not.toContain('康乐测试中学');
      await page.screenshot({ path: path.join(outputDir, 'county-zh.png'), fullPage: true });

      // Another county is refused by the server, whatever the browser asks for.
      const other = await page.goto(`${server.url}/counties/622922`);
      expect(other?.status()).toBe(403);
      await page.goBack();

      await page.getByLabel('未联网').check();
      await page.getByRole('button', { name: '筛选' }).click();
      await expect.poll(() => page.url()).toContain('connected=false');
      expect(await table.locator('tr').allTextContents()).toEqual([expect.stringContaining('测试教学点')]);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: '导出 CSV' }).click(),
      ]);
      const csv = fs
        .readFileSync((await download.path())!, 'utf8')
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n');
      expect(csv).toHaveLength(2);
      expect(csv[0]).toMatch(/^代码,学校,/);
      expect(csv[1]).toMatch(/^6229210002,测试教学点,土桥镇,小学教学点,否,/);

      await page.getByRole('link', { name: 'English' }).click();
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('County · Línxià Xiàn');
      expect(page.url()).toContain('connected=false');

      await page.getByRole('link', { name: 'Enrollment' }).click();
      // Remembered: the next page is English too.
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Enrollment tokens');
      await page.getByLabel('School').fill('6229210001');
      await page.getByLabel('Maximum uses').fill('40');
      await page.getByRole('button', { name: 'Create token' }).click();
      const token = (await page.locator('#new-token').textContent())!;
      expect(token).toMatch(/^ste_[\w-]{43}$/);
      expect(await page.locator('.install pre').first().textContent()).toContain(
        `enroll --server ${server.url} --token ${token}`,
      );
      expect(await page.locator('#token-table tbody').textContent()).toContain('0 / 40');

      // Declare a school connected that no agent shows yet: it appears as declared, never as measured.
      await page.getByRole('link', { name: 'Declarations' }).click();
      await page.getByLabel('School', { exact: true }).fill('6229210002');
      await page.getByLabel('Declared status').selectOption('connected');
      await page.getByLabel('Reason', { exact: true }).fill('fibre installed, no PC yet');
      await page.getByRole('button', { name: 'Declare' }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('Declaration #1 recorded.');
      expect(await page.locator('#declaration-table tbody').textContent()).toContain('fibre installed, no PC yet');
      await page.getByRole('link', { name: 'My county' }).click();
      const connectedFigure = page.locator('.figure').first();
      expect(await connectedFigure.locator('.value').textContent()).toMatch(/^1 \/ 2/);
      expect(await connectedFigure.textContent()).toContain('Declared, not measured: 1');
      expect(await table.locator('tr', { hasText: '测试教学点' }).locator('.tag.declared').count()).toBe(1);
      expect(offSite).toEqual([]);
    },
  );

  it('shows the bureau the prefecture overview with all eight counties', { timeout: 60_000 }, async () => {
    server = await startTestServer();
    await createDashboardUsers(server);
    await seedDevices(server);
    fs.mkdirSync(outputDir, { recursive: true });
    const { page, offSite } = await openBrowser();
    await signIn(page, server.url, 'bureau');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('#county-table tbody tr').count()).toBe(8);
    // Two plan-against-measured charts, and teacher spaces (declared) against their milestones.
    expect(await page.locator('svg.chart').count()).toBe(3);
    expect(await page.locator('svg.chart polyline.measured').count()).toBe(2);
    await page.screenshot({ path: path.join(outputDir, 'overview-zh.png'), fullPage: true });
    // As a paper report: navigation, exports and forms drop out; figures, charts and the table stay.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header nav').isVisible()).toBe(false);
    expect(await page.locator('.exports').first().isVisible()).toBe(false);
    expect(await page.locator('#county-table').isVisible()).toBe(true);
    expect(await page.locator('svg.chart').first().isVisible()).toBe(true);
    await page.pdf({ path: path.join(outputDir, 'overview-print.pdf'), format: 'A4', landscape: true });
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('link', { name: '已联网' }).click();
    expect(await page.locator('#county-table tbody tr').first().textContent()).toContain('临夏县');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(outputDir, 'overview-phone.png'), fullPage: true });
    expect(offSite).toEqual([]);
  });

  it(
    'keeps redirects whose target the request gives on the site, and never answers 500 (issue 11)',
    { timeout: 90_000 },
    async () => {
      server = await startTestServer();
      await createDashboardUsers(server);
      const { page, offSite } = await openBrowser();
      const statuses: number[] = [];
      page.on('response', (response) => statuses.push(response.status()));
      const endsHome = async (path: string) => {
        // A redirect off the site fails to load (nothing resolves): the page's URL says where it went.
        const failed = await page.goto(`${server.url}${path}`).then(
          () => null,
          (error: Error) => error.message.split('\n')[0],
        );
        expect({ path, url: page.url(), failed }).toEqual({
          path,
          url: expect.stringMatching(`^${server.url}/`),
          failed: null,
        });
      };

      // Signed out: the language switch, and the sign-in form carrying `next` through to its redirect.
      for (const target of targets) await endsHome(`/lang/en?back=${encodeURIComponent(target)}`);
      await page.goto(`${server.url}/login?next=${encodeURIComponent('/\t/evil.example')}`);
      await page.getByLabel('Username').fill('bureau');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.url()).toBe(`${server.url}/`);
      // Signed in, /login?next= redirects at once.
      for (const target of targets) await endsHome(`/login?next=${encodeURIComponent(target)}`);
      expect(new URL(page.url()).pathname).toBe('/counties/622921');

      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(offSite).toEqual([]);
    },
  );
});
