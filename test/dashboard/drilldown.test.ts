import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { readCoverage } from '../../server/coverage/read.ts';
import { createUser } from '../../server/accounts/users.ts';
import { createDashboardUsers, DashboardClient, PASSWORD, seedDevices } from '../helpers/dashboard.ts';
import { createTestContext, testRoster, lanzhouTestSchool, type TestContext } from '../helpers/server.ts';

/*
 * Issue 13 item 6 without a browser: the division pages of a province deployment (Gansu 620000) read right at
 * every level, including a prefecture with no school yet, and export their children in both languages.
 * drilldown-browser.test.ts clicks through the same pages in Chromium.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const gansuRoster = [
  ...testRoster,
  lanzhouTestSchool,
  // 嘉峪关 is a prefecture-level city without counties: its schools point at the prefecture itself.
  {
    code: '6202000001',
    name: '嘉峪关市测试小学',
    county_code: '620200',
    type_code: '211',
    urban_rural_code: '111',
    classroom_count: 3,
  },
];

async function bureau() {
  ctx = await createTestContext({ root: '620000', roster: gansuRoster });
  await createDashboardUsers(ctx);
  await seedDevices(ctx);
  const client = DashboardClient.forApp(ctx);
  await client.signIn('bureau');
  return client;
}

const clean = (html: string) => {
  expect(html).not.toContain('undefined');
  expect(html).not.toContain('NaN');
};

describe('division pages of a province deployment', () => {
  it('show a prefecture with no school yet without a NaN, and a share target as a share', async () => {
    const client = await bureau();
    const tianshui = await client.get('/divisions/620500');
    expect(tianshui.status).toBe(200);
    clean(tianshui.text);
    expect(tianshui.text).toContain('州（市） · 天水市');
    expect(tianshui.text).toContain('目标：占学校 100%');
    expect(tianshui.text).toContain('目标：占教室 90%');
    expect(tianshui.text).toContain('href="/counties/620502"');
    const overview = await client.get('/');
    clean(overview.text);
    expect(overview.text).toContain('全省概览 · 甘肃省');
    expect(overview.text).toContain('href="/divisions/622900"');
    expect(overview.text).not.toContain('nav class="breadcrumb"');
  });

  it('lands a bureau confined to a prefecture on its page, with no links to the root bureau’s admin pages', async () => {
    const root = await bureau();
    expect((await root.get('/')).text).toContain('href="/admin/users"');
    await createUser(
      ctx.store,
      { username: 'linxia-bureau', password: PASSWORD, role: 'bureau', divisionCode: '622900' },
      ctx.clock(),
      { actor: 'test', reason: 'test account' },
    );
    const confined = DashboardClient.forApp(ctx);
    await confined.signIn('linxia-bureau');
    expect(await confined.get('/')).toMatchObject({ status: 302, location: '/divisions/622900' });
    const page = await confined.get('/divisions/622900');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('href="/admin/users"');
    expect(page.text).not.toContain('href="/admin/api-tokens"');
    expect((await confined.get('/divisions/620100')).status).toBe(403);
  });

  it('sends the root and a county to their one page, and answers 404 for a division outside the tree', async () => {
    const client = await bureau();
    expect(await client.get('/divisions/620000')).toMatchObject({ status: 302, location: '/' });
    expect(await client.get('/divisions/622921?sort=name')).toMatchObject({
      status: 302,
      location: '/counties/622921',
    });
    expect((await client.get('/divisions/630000')).status).toBe(404);
  });

  it('lists the schools of a prefecture-level city without counties on its one page, as a county’s', async () => {
    const client = await bureau();
    expect(await client.get('/divisions/620200')).toMatchObject({ status: 302, location: '/counties/620200' });
    const page = await client.get('/counties/620200');
    expect(page.status).toBe(200);
    expect(page.text).toContain('嘉峪关市测试小学');
    clean(page.text);
    expect((await client.get('/counties/620100')).status).toBe(404);
  });

  it('sorts a children table and exports it as shown, in the reader’s language', async () => {
    const client = await bureau();
    const province = await readCoverage(ctx.store, null, ctx.clock());
    const sorted = await client.get('/?sort=schools&dir=desc');
    expect(sorted.text.indexOf('href="/divisions/622900"')).toBeLessThan(
      sorted.text.indexOf('href="/divisions/620500"'),
    );
    const csv = (await client.get('/divisions/620000/children.csv?sort=schools&dir=desc')).text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(csv).toHaveLength(province.children.length + 1);
    expect(csv[0]).toMatch(/^代码,州（市）,学校数,/);
    expect(csv[1]).toMatch(/^622900,临夏回族自治州,3,/);
    await client.get('/lang/en?back=/');
    const xlsx = await client.get('/divisions/622900/children.xlsx');
    expect(xlsx.headers.get('content-disposition')).toMatch(/filename="divisions-622900-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(xlsx.bytes) as never);
    const rows: unknown[][] = [];
    workbook.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]!.slice(0, 3)).toEqual(['Code', 'County', 'Schools']);
    expect(rows).toHaveLength(9);
    const english = await client.get('/divisions/622900');
    clean(english.text);
    expect(english.text).toContain('target: 100% of schools');
  });
});
