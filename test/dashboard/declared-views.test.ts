import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { declareStatus } from '../../server/programme/declarations.ts';
import { takeDailySnapshots } from '../../server/programme/history.ts';
import { declareTeacherSpaces } from '../../server/programme/teacher-spaces.ts';
import { createDashboardUsers, DashboardClient, seedDevices } from '../helpers/dashboard.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Declared figures beside measured ones on every page, never added in; progress drawn from the daily
 * snapshots; teacher spaces and platforms on the overview. seedDevices leaves 6229210001 and 6229220001
 * connected (measured) and 6229210002 not; here 6229210002 is declared connected and contradicted by its PC.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const DAY = 86_400_000;
const T0 = '2026-03-02T08:00:00Z';

async function scenario() {
  ctx = await createTestContext({ clock: testClock(T0) });
  await createDashboardUsers(ctx);
  await seedDevices(ctx);
  await declareStatus(
    ctx.store,
    { schoolCode: '6229210002', indicator: 'connected', reason: 'fibre is in' },
    ctx.clock(),
    { ...byTest, reason: 'fibre is in' },
    null,
  );
  await declareStatus(
    ctx.store,
    { schoolCode: '6229210001', indicator: 'equipped', classroomCode: '2', reason: 'panel fitted' },
    ctx.clock(),
    byTest,
    null,
  );
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('measured and declared, side by side', () => {
  it('shows declared-only counts and conflicts beside the measured figures on the overview, county and school pages', async () => {
    await scenario();
    const bureau = DashboardClient.forApp(ctx);
    await bureau.signIn('bureau');
    const overview = text((await bureau.get('/')).text);
    // Measured: two schools connected. Declared: one more, shown apart, and contradicted by evidence.
    expect(overview).toMatch(/校校通：已联网学校 实测 2 \/ 1,492/);
    expect(overview).toContain('申报 仅申报、未实测：1（不计入实测数）');
    expect(overview).toContain('申报与实测矛盾：1');
    expect(overview).toMatch(/班班通：已装备教室 实测 1 \/ 8,926 .*?申报 仅申报、未实测：1/);

    const county = await bureau.get('/counties/622921');
    expect(text(county.text)).toContain('申报与实测矛盾：1');
    const declaredOnly = await bureau.get('/counties/622921?declaredConnected=true');
    expect(text(declaredOnly.text)).toContain('符合条件的学校: 1');
    expect(declaredOnly.text).toContain('测试教学点');
    expect(declaredOnly.text).not.toContain('测试第一小学');
    expect((await bureau.get('/counties/622921?conflict=true')).text).toContain('测试教学点');
    expect(text((await bureau.get('/counties/622921?conflict=false')).text)).toContain('符合条件的学校: 1');

    const school = text((await bureau.get('/schools/6229210002')).text);
    expect(school).toContain('县教育局申报本校已联网，但尚无实测证据');
    expect(school).toContain('申报与实测矛盾');
    expect(school).toContain('fibre is in');
  });

  it('exports the declared columns beside the measured ones', async () => {
    await scenario();
    const officer = DashboardClient.forApp(ctx);
    await officer.signIn('county-a');
    const csv = (await officer.get('/counties/622921/schools.csv')).text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(csv[0]).toMatch(/^代码,学校,乡镇,类型,联网,仅申报联网,申报与实测矛盾,/);
    expect(csv[0]).toContain('仅申报装备');
    expect(csv[2]).toMatch(/^6229210002,测试教学点,土桥镇,小学教学点,否,是,是,/);
    const counties = (await officer.get('/counties.csv')).text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(counties[0]).toContain('学校数,已联网,未联网,仅申报联网,申报矛盾,校校通进度');
    expect(counties[1]).toMatch(/^622921,临夏县,2,1,1,1,1,/);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from((await officer.get('/counties/622921/schools.xlsx')).bytes) as never);
    const header = (workbook.worksheets[0]!.getRow(1).values as unknown[]).slice(1);
    expect(header).toContain('仅申报联网');
  });
});

describe('progress over time', () => {
  it('draws the measured curve from the daily snapshots against the plan, and says on track or behind per county', async () => {
    await scenario();
    // Three finished days recorded by the snapshot job, then today's live figure.
    ctx.clock.advance(3 * DAY);
    const days = await takeDailySnapshots(ctx.store, ctx.clock());
    expect(days.length).toBeGreaterThanOrEqual(3);
    const bureau = DashboardClient.forApp(ctx);
    await bureau.signIn('bureau');
    const page = (await bureau.get('/')).text;
    const measured = [...page.matchAll(/<polyline class="measured" data-points="(\d+)" points="([^"]+)"/g)];
    expect(measured).toHaveLength(2);
    expect(Number(measured[0]![1])).toBe(days.length + 1);
    expect(measured[0]![2]!.split(' ')).toHaveLength(days.length + 1);
    expect(page).toContain('<polyline class="planned"');
    // 2026 is after the plan's last milestone: every county is held to 100 %, and one school of two is not enough.
    const row = /<tr>(?:(?!<\/tr>).)*临夏县(?:(?!<\/tr>).)*<\/tr>/s.exec(page)![0];
    expect(row).toContain('progress-behind');
  });

  it('shows declared teacher spaces against the plan and platforms per level', async () => {
    await scenario();
    await declareTeacherSpaces(
      ctx.store,
      '6229210001',
      { teachers: 40, spacesOpened: 30, spacesVerified: 20 },
      byTest,
      ctx.clock(),
    );
    const bureau = DashboardClient.forApp(ctx);
    await bureau.signIn('bureau');
    const page = text((await bureau.get('/')).text);
    expect(page).toContain('人人通：教师网络学习空间 申报');
    expect(page).toMatch(/已开通空间（申报） 30 \/ 17,859/);
    expect(page).toContain('资源平台 已建（申报）');
    expect(page).toMatch(/州级 2017 1 1 0 0 0 0/);
    expect(page).toContain('资源平台 可访问（实测）');
    const platforms = await bureau.get('/platforms');
    expect(platforms.status).toBe(200);
    expect(platforms.text).toContain('platform-table');
  });
});
