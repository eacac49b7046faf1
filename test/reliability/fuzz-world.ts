import pino from 'pino';
import { expect } from 'vitest';
import { createApp, type App } from '../../server/app.ts';
import { defaultRequestLimits } from '../../server/config.ts';
import type { Db } from '../../server/db/client.ts';
import { createDashboardUsers, DashboardClient } from '../helpers/dashboard.ts';
import { requestJson } from '../helpers/http.ts';
import { conformToDocument } from '../helpers/openapi-conformance.ts';
import { makeReport } from '../helpers/reports.ts';
import { createTestContext, type TestContext } from '../helpers/server.ts';

/*
 * A small world every fuzz property runs against: a bureau token, an enrolled PC, and one of each
 * thing an :id route can name (declaration, closure, inspection, platform), so hostile input reaches
 * the handlers and not only the 404 in front of them.
 */
export interface FuzzWorld {
  ctx: TestContext;
  /** The app over ctx.db with rate limits off, so hostile input reaches validation, not a 429 (limits.test.ts covers those). */
  app: App;
  bureauToken: string;
  enrollmentToken: string;
  deviceKey: string;
  ids: { declaration: number; closure: number; inspection: number; platform: number };
  /** A bureau user's browser, signed in, with a CSRF token. */
  browser: DashboardClient;
  /** Dashboard accounts other than the bureau's own, for :id routes that could otherwise lock the fuzzer out. */
  userIds: number[];
}

async function created(app: App, token: string, method: string, path: string, body: unknown): Promise<number> {
  const response = await requestJson(app, method, path, { body, bearer: token });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.id as number;
}

/** Builds the world over a fresh test context. */
export async function createFuzzWorld(): Promise<FuzzWorld> {
  const ctx = await createTestContext();
  const noRateLimits = {
    ...defaultRequestLimits,
    enrollPerIpPerMinute: 0,
    loginPerIpPerMinute: 0,
    reportsPerIpPerMinute: 0,
    reportBatchesPerDevicePerHour: 0,
  };
  const app = createApp({
    store: ctx.store,
    logger: pino({ level: 'silent' }),
    clock: ctx.clock,
    maxReportBodyBytes: 1024 * 1024,
    limits: noRateLimits,
  });
  // Every hostile request's answer is held to the OpenAPI document as well; the world's cleanup fails on a miss.
  const conformance = conformToDocument(app);
  const cleanup = ctx.cleanup;
  ctx.cleanup = async (options) => {
    await cleanup(options);
    conformance.assertNone();
  };
  const bureauToken = await ctx.apiToken();
  const enrollmentToken = await ctx.enrollmentToken('6229210001');
  const enrolled = await requestJson(app, 'POST', '/api/v1/enroll', {
    body: { token: enrollmentToken, hostname: 'fuzz-pc', hardware: { uuid: 'fuzz-uuid' }, classroom: '1' },
  });
  const deviceKey = enrolled.body.deviceKey as string;
  await requestJson(app, 'POST', '/api/v1/reports', {
    body: { reports: [makeReport({ at: ctx.clock() - 60_000 })] },
    bearer: deviceKey,
  });
  const ids = {
    declaration: await created(app, bureauToken, 'POST', '/api/v1/declarations', {
      schoolCode: '6229210002',
      indicator: 'connected',
      reason: 'fuzz world',
    }),
    closure: await created(app, bureauToken, 'POST', '/api/v1/closures', {
      name: '寒假',
      countyCode: '622921',
      startsOn: '2027-01-15',
      endsOn: '2027-02-25',
      reason: 'fuzz world',
    }),
    inspection: await created(app, bureauToken, 'POST', '/api/v1/inspections', { perCounty: 2, seed: 'fuzz' }),
    platform: await created(app, bureauToken, 'POST', '/api/v1/platforms', {
      kind: 'resource',
      level: 'prefecture',
      ownerCode: '622900',
      name: '临夏州资源平台',
      url: 'http://127.0.0.1:9/',
      reason: 'fuzz world',
    }),
  };
  const users = await createDashboardUsers(ctx);
  const browser = new DashboardClient((path, init) => Promise.resolve(app.request(path, init)));
  await browser.signIn('bureau');
  await browser.get('/');
  return {
    ctx,
    app,
    bureauToken,
    enrollmentToken,
    deviceKey,
    ids,
    browser,
    userIds: [users.countyA.id, users.countyB.id, users.school.id],
  };
}

/**
 * A cheap fingerprint of everything stored: row count and largest rowid of every table (the audit log
 * included). A rejected request must leave it as it was.
 */
export function fingerprint(db: Db, ignore: string[] = []): Record<string, string> {
  const tables = db.$client
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    .all() as { name: string }[];
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    if (ignore.includes(name)) continue;
    const row = db.$client.prepare(`select count(*) as n, max(rowid) as m from "${name}"`).get() as {
      n: number;
      m: number | null;
    };
    result[name] = `${row.n}/${row.m}`;
  }
  return result;
}

/** Cases run per route, for the figures the tests print and RELIABILITY.md reports. */
export class CaseCounter {
  readonly counts = new Map<string, number>();
  private readonly statuses = new Map<string, Map<number, number>>();
  add(route: string, status: number) {
    this.counts.set(route, (this.counts.get(route) ?? 0) + 1);
    const seen = this.statuses.get(route) ?? new Map<number, number>();
    seen.set(status, (seen.get(status) ?? 0) + 1);
    this.statuses.set(route, seen);
  }
  total() {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  print(label: string, seed: number) {
    console.log(
      `${label}: seed ${seed}, ${this.total()} cases\n${[...this.counts]
        .map(
          ([r, n]) =>
            `  ${String(n).padStart(6)}  ${r}  ${[...this.statuses.get(r)!]
              .sort(([a], [b]) => a - b)
              .map(([st, k]) => `${st}×${k}`)
              .join(' ')}`,
        )
        .join('\n')}`,
    );
  }
}

/**
 * The invariants of a hostile request to the API: never a 5xx; a rejection is a 4xx JSON error with a
 * message (and issues naming fields when input was invalid); a rejection changes nothing stored.
 */
export function expectSafeApiAnswer(
  what: string,
  status: number,
  contentType: string | null,
  text: string,
  before: Record<string, string>,
  after: Record<string, string>,
) {
  expect(status, `${what} → ${status} ${text.slice(0, 500)}`).toBeLessThan(500);
  if (status < 400) return;
  expect(contentType ?? '', `${what} → ${status} is not JSON: ${text.slice(0, 300)}`).toMatch(/application\/json/);
  const body = JSON.parse(text) as { error?: unknown; code?: unknown; issues?: { path: string; message: string }[] };
  expect(
    typeof body.error === 'string' && body.error.length > 0,
    `${what} → ${status} without a message: ${text.slice(0, 300)}`,
  ).toBe(true);
  expect(typeof body.code, `${what} → ${status} without a code`).toBe('string');
  if (body.code === 'invalid_input') {
    expect(Array.isArray(body.issues) && body.issues.length > 0, `${what} → invalid_input without issues`).toBe(true);
    for (const issue of body.issues!)
      expect(typeof issue.path === 'string' && typeof issue.message === 'string').toBe(true);
  }
  expect(after, `${what} → ${status} changed the database`).toEqual(before);
}

/** fast-check parameters: the seed from SANTONG_SEED (to replay) or fresh, and a time budget. */
export function fuzzParameters(budgetMs: number, longBudgetMs: number) {
  const seed = process.env.SANTONG_SEED ? Number(process.env.SANTONG_SEED) : Math.floor(Math.random() * 2 ** 31);
  const long = process.env.SANTONG_LONG === '1';
  return {
    seed,
    numRuns: long ? 1_000_000 : 100_000,
    interruptAfterTimeLimit: long ? longBudgetMs : budgetMs,
    markInterruptAsFailure: false,
  };
}
