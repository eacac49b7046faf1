import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asc, desc, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { routeDocs } from '../../server/app.ts';
import { openDatabase } from '../../server/db/client.ts';
import { apiTokens, auditLog } from '../../server/db/schema.ts';
import { santong } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

let ctx: TestContext | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

/** The audit entries written since `after` (an id), oldest first, in the shape a reviewer reads. */
function entriesSince(db: TestContext['db'], after: number) {
  return db
    .select()
    .from(auditLog)
    .orderBy(asc(auditLog.id))
    .all()
    .filter((e) => e.id > after)
    .map((e) => ({
      actor: e.actor,
      action: e.action,
      entityId: e.entityId,
      countyCode: e.countyCode,
      oldValue: e.oldValue,
      newValue: e.newValue,
      reason: e.reason,
    }));
}
const lastId = (db: TestContext['db']) =>
  db
    .select({ id: sql<number | null>`max(${auditLog.id})` })
    .from(auditLog)
    .get()?.id ?? 0;

describe('audit of teacher spaces and platforms', () => {
  it('writes exactly one entry with old and new value for every change through each mutating route', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-01T08:00:00Z') });
    const token = await ctx.apiToken();
    const actor = `api-token:${ctx.db.select({ id: apiTokens.id }).from(apiTokens).orderBy(desc(apiTokens.id)).get()!.id}`;
    const tested = new Set<string>();
    const call = async (method: string, path: string, docPath: string, body?: unknown) => {
      tested.add(`${method.toLowerCase()} ${docPath}`);
      const before = lastId(ctx!.db);
      const response = await requestJson(ctx!.app, method, path, { body, bearer: token });
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
      return entriesSince(ctx!.db, before);
    };

    const spaces = { teachers: 40, spacesOpened: 35, spacesVerified: 30 };
    expect(
      await call('PUT', '/api/v1/schools/6229210001/teacher-spaces', '/api/v1/schools/:code/teacher-spaces', {
        ...spaces,
        reason: 'operator report',
      }),
    ).toEqual([
      {
        actor,
        action: 'teacher-spaces.declare',
        entityId: '6229210001',
        countyCode: '622921',
        oldValue: null,
        newValue: spaces,
        reason: 'operator report',
      },
    ]);
    expect(
      await call('PUT', '/api/v1/schools/6229210001/teacher-spaces', '/api/v1/schools/:code/teacher-spaces', {
        ...spaces,
        spacesVerified: 35,
        reason: 'verified the rest',
      }),
    ).toEqual([expect.objectContaining({ oldValue: spaces, newValue: { ...spaces, spacesVerified: 35 } })]);
    // The same figures again: no change, no entry.
    expect(
      await call('PUT', '/api/v1/schools/6229210001/teacher-spaces', '/api/v1/schools/:code/teacher-spaces', {
        ...spaces,
        spacesVerified: 35,
        reason: 'again',
      }),
    ).toEqual([]);

    const platform = {
      kind: 'resource',
      level: 'county',
      ownerCode: '622921',
      name: '临夏县资源平台',
      url: 'https://zy.example.cn/',
      builtOn: '2018-09-01',
    };
    expect(
      await call('POST', '/api/v1/platforms', '/api/v1/platforms', { ...platform, reason: 'county letter' }),
    ).toEqual([
      {
        actor,
        action: 'platform.add',
        entityId: '1',
        countyCode: '622921',
        oldValue: null,
        newValue: platform,
        reason: 'county letter',
      },
    ]);
    expect(
      await call('PATCH', '/api/v1/platforms/1', '/api/v1/platforms/:id', {
        url: 'https://zy2.example.cn/',
        reason: 'moved',
      }),
    ).toEqual([
      {
        actor,
        action: 'platform.update',
        entityId: '1',
        countyCode: '622921',
        oldValue: platform,
        newValue: { ...platform, url: 'https://zy2.example.cn/' },
        reason: 'moved',
      },
    ]);
    expect(await call('DELETE', '/api/v1/platforms/1?reason=duplicate', '/api/v1/platforms/:id')).toEqual([
      {
        actor,
        action: 'platform.remove',
        entityId: '1',
        countyCode: '622921',
        oldValue: { ...platform, url: 'https://zy2.example.cn/' },
        newValue: null,
        reason: 'duplicate',
      },
    ]);

    // Every mutating route of these features is in this test: a new one fails here until it is audited and tested.
    const mutating = routeDocs
      .filter((d) => ['teacher-spaces', 'platforms'].includes(d.tag) && d.method !== 'get')
      .map((d) => `${d.method} ${d.path}`);
    expect(new Set(mutating)).toEqual(tested);
  });

  it('writes one entry per changed school or platform from each CLI command, as cli:<user>', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-audit-'));
    dirs.push(dataDir);
    const run = async (...args: string[]) => {
      const result = await santong([...args, '--data-dir', dataDir]);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    await run('import-schools', 'docs/examples/schools.sample.csv');
    const db = openDatabase(dataDir);
    try {
      const count = () => lastId(db);
      let before = count();
      expect(await run('import-teacher-spaces', 'docs/examples/teacher-spaces.sample.csv')).toContain(
        '4 schools changed, 0 unchanged',
      );
      const imported = entriesSince(db, before);
      expect(imported.map((e) => [e.action, e.entityId, e.reason])).toEqual(
        ['9901000001', '9921000001', '9921000002', '9922000001'].map((code) => [
          'teacher-spaces.declare',
          code,
          'import-teacher-spaces docs/examples/teacher-spaces.sample.csv',
        ]),
      );
      expect(imported[0]).toMatchObject({
        actor: `cli:${os.userInfo().username}`,
        oldValue: null,
        newValue: { teachers: 86, spacesOpened: 86, spacesVerified: 80 },
      });

      before = count();
      const added = await run(
        'platform',
        'add',
        '--kind',
        'management',
        '--level',
        'centre-school',
        '--owner',
        '9921000001',
        '--name',
        '韩集中心校管理平台',
        '--url',
        'http://gl.hanji.example.cn/',
        '--built-on',
        '2019-06-01',
        '--reason',
        'township report',
      );
      expect(added).toMatch(/^added #1 management centre-school 9921000001/);
      await run('platform', 'update', '--id', '1', '--built-on', 'none', '--reason', 'acceptance failed');
      await run('platform', 'remove', '--id', '1');
      expect(
        entriesSince(db, before).map((e) => [
          e.action,
          e.entityId,
          e.countyCode,
          (e.oldValue as { builtOn?: string } | null)?.builtOn ?? null,
          (e.newValue as { builtOn?: string } | null)?.builtOn ?? null,
          e.reason,
        ]),
      ).toEqual([
        ['platform.add', '1', '622921', null, '2019-06-01', 'township report'],
        ['platform.update', '1', '622921', '2019-06-01', null, 'acceptance failed'],
        ['platform.remove', '1', '622921', null, null, 'platform remove by command line'],
      ]);

      const refused = await santong([
        'platform',
        'add',
        '--kind',
        'resource',
        '--level',
        'county',
        '--owner',
        '622999',
        '--name',
        'x',
        '--url',
        'ftp://x',
        '--data-dir',
        dataDir,
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('--url: an http:// or https:// URL');
    } finally {
      db.$client.close();
    }
  });
});
