import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { repoRoot } from '../helpers/cli.ts';
import { createDashboardUsers, PASSWORD, seedDevices } from '../helpers/dashboard.ts';
import { makeReleaseKey, trustReleaseKey } from '../helpers/release-keys.ts';
import { openTestBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';
import { byTest, startTestServer, type TestServer } from '../helpers/server.ts';

/*
 * Issue 18 items 4 and 10 in Chromium: the school page as a county officer sees it in both languages (what to
 * do about the token, the server's public address in the commands, the agent to download, a hardware conflict
 * column that is red only for a conflict), and the enrollment form refusing a school it cannot find in Chinese,
 * keeping what was typed.
 */
const outputDir = path.join(repoRoot, 'test-output');
const PUBLIC_URL = 'https://santong.example.cn';
const bundle = Buffer.from('#!/usr/bin/env node\n// santong-agent 2.4.0\nconsole.log("agent")\n');

let server: TestServer;
let browser: TestBrowser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await server?.close();
});

// Three ASCII words in a row are English; school codes, `#1` and the setting's name are not.
const englishRun = /[A-Za-z]{2,}(?:[\s,;:'"()-]+[A-Za-z]{2,}){2,}/;

describe('the school page for a county officer, in Chromium', () => {
  it(
    'says what the officer does, with the public URL, the agent download and a neutral "no conflict"',
    {
      timeout: 90_000,
    },
    async () => {
      server = await startTestServer({ publicUrl: PUBLIC_URL });
      await createDashboardUsers(server);
      await seedDevices(server);
      const key = makeReleaseKey();
      await trustReleaseKey(server.store, key);
      await publishAgentRelease(server.store, bundle, key.sign(bundle), server.clock(), byTest);
      fs.mkdirSync(outputDir, { recursive: true });
      browser = await openTestBrowser(server.url);
      const { page, offSite } = browser;

      // 6229220001 holds b1-silent and b-dup, whose hardware is a1-pc's: one conflict, one not.
      await signIn(page, server.url, 'county-b');
      await page.goto(`${server.url}/schools/6229220001`);
      const install = page.locator('#install + div');
      await expect(install.textContent()).resolves.toContain('先为本校创建注册令牌');
      expect(await install.textContent()).not.toContain('请向县教育局申请注册令牌');
      expect(await install.locator('pre').first().textContent()).toContain(
        `enroll --server ${PUBLIC_URL} --token <TOKEN>`,
      );
      expect(await install.locator('.note[role="note"]').count()).toBe(0); // no public-URL warning
      const rows = page.locator('#device-table tbody tr');
      const conflictCell = async (host: string) => {
        const headers = await page.locator('#device-table thead th').allTextContents();
        const column = headers.findIndex((h) => h.startsWith('硬件冲突') || h.startsWith('Hardware conflict'));
        return rows.filter({ hasText: host }).locator('td').nth(column);
      };
      const noConflict = await conflictCell('b1-silent');
      expect(await noConflict.textContent()).toBe('否');
      // In the table's ordinary text colour, as any other plain cell: red is for a conflict.
      const colour = (cell: typeof noConflict) =>
        cell.evaluate((td) => {
          const view = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle;
          const inner = (td as unknown as { firstElementChild: unknown }).firstElementChild ?? td;
          return view(inner).color;
        });
      const plainCell = rows.filter({ hasText: 'b1-silent' }).locator('td').first();
      expect(await colour(noConflict)).toBe(await colour(plainCell));
      expect(await noConflict.locator('.no, .tag').count()).toBe(0);
      expect(await (await conflictCell('b-dup')).locator('.tag.conflict').textContent()).toBe('是');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        install.locator('#agent-files').getByRole('link', { name: 'santong-agent.mjs', exact: true }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('santong-agent.mjs');
      expect(fs.readFileSync((await download.path())!).equals(bundle)).toBe(true);
      await page.screenshot({ path: path.join(outputDir, 'school-county-zh.png'), fullPage: true });

      await page.getByRole('link', { name: 'English' }).click();
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
      const english = (await install.textContent())!;
      expect(english).toContain('Issue an enrollment token for this school');
      expect(english).toContain('Files to download');
      expect(english).not.toContain('Ask your county office');
      expect(english).not.toMatch(/[\u4e00-\u9fff]/);
      expect(await (await conflictCell('b1-silent')).textContent()).toBe('no');
      await page.screenshot({ path: path.join(outputDir, 'school-county-en.png'), fullPage: true });

      await install.getByRole('link', { name: 'Issue an enrollment token for this school' }).click();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Enrollment tokens');
      await expect(page.getByLabel('School').inputValue()).resolves.toBe('6229220001');
      expect(offSite).toEqual([]);
    },
  );

  it(
    'refuses an unknown school on the enrollment form in Chinese, keeps the form, and takes a name',
    {
      timeout: 60_000,
    },
    async () => {
      server = await startTestServer();
      await createDashboardUsers(server);
      browser = await openTestBrowser(server.url);
      const { page, offSite } = browser;
      await signIn(page, server.url, 'county-a');
      await page.getByRole('link', { name: '注册令牌' }).click();
      await page.getByLabel('学校').fill('临夏县第九十九小学');
      await page.getByLabel('最多使用次数').fill('40');
      await page.getByRole('button', { name: '创建令牌' }).click();
      const alert = page.getByRole('alert');
      const problem = (await alert.textContent())!;
      expect(problem).toContain('没有代码或名称为 临夏县第九十九小学 的学校');
      expect(problem).not.toMatch(englishRun);
      await expect(page.getByLabel('学校').inputValue()).resolves.toBe('临夏县第九十九小学');
      await expect(page.getByLabel('最多使用次数').inputValue()).resolves.toBe('40');
      await page.screenshot({ path: path.join(outputDir, 'enrollment-problem-zh.png'), fullPage: true });

      // The field's suggestions show names: the exact name of a school in the county is taken.
      await page.getByLabel('学校').fill('测试第一小学');
      await page.getByRole('button', { name: '创建令牌' }).click();
      await expect(page.locator('#new-token').textContent()).resolves.toMatch(/^ste_[\w-]{43}$/);
      expect(await page.locator('.notice strong').textContent()).toBe('测试第一小学 (6229210001)');
      expect(offSite).toEqual([]);
    },
  );
});
