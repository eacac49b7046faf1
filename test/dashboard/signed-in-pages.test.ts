import { afterEach, describe, expect, it } from 'vitest';
import { signedInDashboard } from '../../server/routes/dashboard.ts';
import { createTestContext, type TestContext } from '../helpers/server.ts';

/*
 * The session check is added by the dashboard's one sub-app, not by each handler (issue 12): every route a
 * page declares, including one added later, sends an anonymous visitor to the login page before it runs.
 * Pages outside the signed-in dashboard (login, public disclosure, the API) are left alone.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

/** A concrete path for a route pattern: each `:param` gets a value its validator accepts. */
const concrete = (pattern: string) => pattern.replace(/:code\b/g, '622921').replace(/:[a-zA-Z]+/g, '1');

describe('the signed-in dashboard', () => {
  it('sends an anonymous visitor to the login page from every route it declares', async () => {
    ctx = await createTestContext();
    const routes = new Map(signedInDashboard().routes.map((r) => [`${r.method} ${r.path}`, r]));
    expect(routes.size).toBeGreaterThan(30);
    for (const { method, path } of routes.values()) {
      const response = await ctx.app.request(concrete(path), { method });
      expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 302`);
      expect(response.headers.get('location')).toMatch(/^\/login\?next=/);
    }
  });

  it('leaves the login page, the API and unknown paths to themselves', async () => {
    ctx = await createTestContext();
    expect((await ctx.app.request('/login')).status).toBe(200);
    expect((await ctx.app.request('/healthz')).status).toBe(200);
    expect((await ctx.app.request('/api/v1/coverage')).status).toBe(401);
    expect((await ctx.app.request('/no-such-page')).status).toBe(404);
  });
});
