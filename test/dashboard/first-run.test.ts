import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUser } from '../../server/accounts/users.ts';
import { PASSWORD } from '../helpers/dashboard.ts';
import { repoRoot } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { openTestBrowser, type TestBrowser } from '../helpers/browser.ts';

/*
 * A fresh server has no account, and accounts are made on the command line: the login page says how to make
 * the first one and load the roster, in both languages, at both widths, until an account exists (issue 18, item 8).
 */
const outputDir = path.join(repoRoot, 'test-output');
const ACCOUNT = "echo 'PASSPHRASE' | npm run -s santong -- user create --username NAME --role bureau";
const ROSTER = 'npm run -s santong -- import-schools ROSTER.csv';

let server: TestServer;
let browser: TestBrowser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await server?.close();
});

describe('the first run, in Chromium', () => {
  it(
    'the login page of a server with no account says how to create the first one and import the roster, until one exists',
    {
      timeout: 90_000,
    },
    async () => {
      server = await startTestServer({ roster: [] });
      fs.mkdirSync(outputDir, { recursive: true });
      browser = await openTestBrowser(server.url);
      const { page, offSite } = browser;

      await page.goto(`${server.url}/`);
      await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
      const hint = page.locator('#first-run');
      await expect(hint.getByRole('heading').textContent()).resolves.toBe('首次使用：还没有任何账号');
      expect(await hint.locator('li').allInnerTexts()).toEqual([
        expect.stringContaining('创建第一个州教育局账号'),
        expect.stringContaining('导入学校名册'),
        expect.stringContaining('然后用这个账号在上方登录'),
      ]);
      expect(await hint.locator('code').allInnerTexts()).toEqual([ACCOUNT, ROSTER]);
      await page.screenshot({ path: path.join(outputDir, 'first-run-zh.png'), fullPage: true });

      await page.getByRole('link', { name: 'English' }).click();
      await expect(hint.getByRole('heading').textContent()).resolves.toBe('First run: there is no account yet');
      expect(await hint.locator('li').allInnerTexts()).toEqual([
        expect.stringContaining('create the first bureau account'),
        expect.stringContaining('Import the roster of schools'),
        expect.stringContaining('Then sign in with it above'),
      ]);
      expect(await hint.locator('code').allInnerTexts()).toEqual([ACCOUNT, ROSTER]);
      // At phone width the commands wrap: nothing is wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      // A string, evaluated in the page: the tests' TypeScript has no DOM types.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(outputDir, 'first-run-en-phone.png'), fullPage: true });

      // Once an account exists (made on the command line, as the page says), the hint is gone and it signs in.
      await createUser(server.store, { username: 'wang', password: PASSWORD, role: 'bureau' }, server.clock(), {
        actor: 'cli:test',
        reason: 'the first account',
      });
      await page.reload();
      expect(await page.locator('#first-run').count()).toBe(0);
      await page.getByLabel('Username').fill('wang');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/');
      expect(offSite).toEqual([]);
    },
  );

  it('with a roster but no account, only the account step is shown', async () => {
    server = await startTestServer();
    const html = await (await fetch(`${server.url}/login`)).text();
    expect(html).toContain('id="first-run"');
    expect(html).toContain('user create --username NAME --role bureau');
    expect(html).not.toContain('import-schools');
  });
});
