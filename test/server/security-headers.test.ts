import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSession, SESSION_COOKIE } from '../../server/accounts/sessions.ts';
import { createUser } from '../../server/accounts/users.ts';
import { createApp } from '../../server/app.ts';
import { securityHeaderList } from '../../server/http/security-headers.ts';
import { byTest, createTestContext, startTestServer, type TestContext, type TestServer } from '../helpers/server.ts';

let ctx: TestContext;
let server: TestServer | undefined;
afterEach(async () => {
  if (server) await server.close();
  else await ctx?.cleanup();
  server = undefined;
});

/*
 * Served by Node, the headers go onto Node's response before the app runs; through app.request() (no Node
 * response) onto Hono's Response afterwards (decision 184). Both ways are held to the same answers.
 */
const transports = ['a listening server', 'app.request()'] as const;
async function requester(via: (typeof transports)[number]) {
  if (via === 'app.request()') {
    ctx = await createTestContext();
    return (path: string, init?: RequestInit) => ctx.app.request(path, init);
  }
  server = await startTestServer();
  ctx = server;
  const url = server.url;
  return (path: string, init?: RequestInit) => fetch(url + path, init);
}

describe.each(transports)('security headers through %s', (via) => {
  it('sends a script-free CSP, no framing, no sniffing and a tight Referrer-Policy on pages and API alike', async () => {
    const request = await requester(via);
    for (const path of ['/login', '/healthz', '/api/v1/openapi.json', '/no-such-page', '/api/v1/coverage']) {
      const response = await request(path);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'none'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      expect(response.headers.get('strict-transport-security'), path).toBeNull(); // plain HTTP by default
      // Every header of the list, each once (Node joins a header set twice with a comma).
      for (const [name, value] of securityHeaderList({ httpsOnly: false }))
        expect(response.headers.get(name), `${path} ${name}`).toBe(value);
    }
  });

  it('forbids caching of API answers, JSON, CSV and errors alike, and of pages; a route that chose its own keeps it', async () => {
    const request = await requester(via);
    const token = await ctx.apiToken();
    for (const path of [
      '/api/v1/coverage',
      '/api/v1/coverage?format=csv',
      '/api/v1/schools/6229210001',
      '/api/v1/audit',
      '/api/v1/schools/0000000000',
    ]) {
      const response = await request(path, { headers: { authorization: `Bearer ${token}` } });
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
    expect((await request('/api/v1/coverage')).headers.get('cache-control')).toBe('no-store'); // 401
    expect((await request('/api/v1/coverage', { method: 'DELETE' })).headers.get('cache-control')).toBe('no-store'); // 405
    // Pages too; the stylesheet, whose route chose its own caching, keeps its five minutes.
    expect((await request('/login')).headers.get('cache-control')).toBe('no-store');
    expect((await request('/assets/app.css')).headers.get('cache-control')).toBe('public, max-age=300');
  });
});

describe('security headers', () => {
  it('with SANTONG_HTTPS_ONLY sends HSTS and keeps the session only in a __Host- cookie a subdomain cannot plant', async () => {
    ctx = await createTestContext();
    const app = createApp({
      store: ctx.store,
      logger: pino({ level: 'silent' }),
      clock: ctx.clock,
      maxReportBodyBytes: 1024 * 1024,
      httpsOnly: true,
    });
    const login = await app.request('https://santong.example.gov.cn/login');
    expect(login.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(login.headers.get('set-cookie')).toMatch(/^__Host-santong_prelogin=[^;]+;.*Path=\/.*Secure/);

    const user = await createUser(
      ctx.store,
      { username: 'bureau1', password: 'a long enough password', role: 'bureau' },
      ctx.clock(),
      byTest,
    );
    const session = await createSession(ctx.store, user.id, ctx.clock());
    const page = (cookie: string) => app.request('https://santong.example.gov.cn/', { headers: { cookie } });
    expect((await page(`__Host-${SESSION_COOKIE}=${session.id}`)).status).toBe(200);
    // A cookie without the prefix (as a sibling subdomain or a plain-HTTP hop could set) is not a session.
    expect((await page(`${SESSION_COOKIE}=${session.id}`)).status).toBe(302);
  });
});
