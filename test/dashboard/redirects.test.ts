import { afterEach, describe, expect, it } from 'vitest';
import { createDashboardUsers, PASSWORD } from '../helpers/dashboard.ts';
import { openTestBrowser, type TestBrowser } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/*
 * Issue 11, item 3, in a real browser: headless Chromium followed `/lang/en?back=/%09/evil.example` to
 * another origin, and `back=/%0a/x` answered 500. Each target below is the decoded query value; the
 * browser must end on the server's own origin without a 5xx on the way. Requests beyond the server are
 * aborted and recorded by the helper, so a stray redirect fails the test without leaving 127.0.0.1.
 */
const targets = ['/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/.//evil.example', '/%2e//evil.example', '/\\evil.example', '//evil.example', ' /\t/evil.example', '/counties/622921?connected=false'];

let server: TestServer;
let browser: TestBrowser | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  await server?.close();
});

describe('redirects that take their target from the request, in Chromium', () => {
  it('never leave the origin and never answer 500', { timeout: 90_000 }, async () => {
    server = await startTestServer();
    await createDashboardUsers(server);
    browser = await openTestBrowser(server.url);
    const { page, offSite } = browser;
    const statuses: number[] = [];
    page.on('response', (response) => statuses.push(response.status()));
    const endsHome = async (path: string) => {
      // A redirect off the site fails to load (nothing resolves): the page's URL says where it went.
      const failed = await page.goto(`${server.url}${path}`).then(() => null, (error: Error) => error.message.split('\n')[0]);
      expect({ path, url: page.url(), failed }).toEqual({ path, url: expect.stringMatching(`^${server.url}/`), failed: null });
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
  });
});
