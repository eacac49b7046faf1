import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM } from '../dashboard/browser-install.ts';
import { PASSWORD } from './dashboard.ts';

/*
 * Debian's Chromium driven by playwright-core, a fresh profile each time. Every request that would leave
 * the server under test is recorded and aborted before it goes out, so a page (or a redirect) that
 * strays shows up in `offSite` without any traffic beyond 127.0.0.1 (the pages must work offline).
 */
// No host name resolves (the server is an address), so not even a DNS query leaves the machine.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** URLs the browser tried to reach beyond the server (aborted). */
  offSite: string[];
  close(): Promise<void>;
}

/** A headless Chromium, Chinese locale, confined to `serverUrl`. */
export async function openTestBrowser(serverUrl: string): Promise<TestBrowser> {
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
  });
  const offSite: string[] = [];
  const local = (url: string) => url.startsWith(`${serverUrl}/`) || url === serverUrl || url.startsWith('data:');
  await context.route(
    (url) => !local(url.href),
    (route) => {
      offSite.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    offSite,
    close: async () => {
      await context.close();
      fs.rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

/** Signs in on the Chinese login page the server sends `/` to, and waits until the page has left it. */
export async function signIn(page: Page, serverUrl: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${serverUrl}/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}
