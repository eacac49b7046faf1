import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../server/i18n/en.ts';
import { localeFor } from '../../server/i18n/locale.ts';
import { zhCN } from '../../server/i18n/zh-CN.ts';
import { createDashboardUsers, DashboardClient, seedDevices } from '../helpers/dashboard.ts';
import { createTestContext, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

async function readSheet(bytes: Uint8Array) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as never);
  const sheet = workbook.worksheets[0]!;
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

describe('exports', () => {
  it('gives the filtered school list as XLSX with headers in the reader’s language and numbers as numbers', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    await seedDevices(ctx);
    const officer = DashboardClient.forApp(ctx);
    await officer.signIn('county-a');
    const xlsx = await officer.get('/counties/622921/schools.xlsx?connected=true');
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers.get('content-disposition')).toMatch(
      /^attachment; filename="schools-622921-\d{4}-\d{2}-\d{2}\.xlsx"$/,
    );
    expect(xlsx.headers.get('cache-control')).toBe('no-store');
    const rows = await readSheet(xlsx.bytes);
    expect(rows[0]!.slice(0, 5)).toEqual(['代码', '学校', '乡镇', '类型', '联网']);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.slice(0, 5)).toEqual(['6229210001', '测试第一小学', '韩集镇', '小学', '是']);
    expect(rows[1]![rows[0]!.indexOf('实测带宽 Mbps')]).toBe(100); // measured Mbps: the median of 80 and 120

    await officer.get('/lang/en?back=/');
    const english = await readSheet((await officer.get('/counties/622921/schools.xlsx')).bytes);
    expect(english[0]!.slice(0, 5)).toEqual(['Code', 'School', 'Township', 'Type', 'Connected']);
    expect(english.map((r) => r[1])).toEqual(['School', '测试第一小学', '测试教学点']);
  });

  it('gives CSV with a BOM for Excel, every matching row and no paging', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    await seedDevices(ctx);
    const bureau = DashboardClient.forApp(ctx);
    await bureau.signIn('bureau');
    const csv = await bureau.get('/devices/attention.csv');
    expect([...csv.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('学校,计算机名,教室,状态,最近上报,采集程序版本');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual([
      '康乐测试中学,b1-silent',
      '测试教学点,a2-silent',
    ]); // longest silent first
  });
});

describe('languages', () => {
  it('serves Chinese by default and English once chosen, remembered across pages', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const browser = DashboardClient.forApp(ctx);
    await browser.signIn('county-a');
    const chinese = await browser.get('/counties/622921');
    expect(chinese.text).toContain('<html lang="zh-CN">');
    expect(chinese.text).toContain('<h1>县（市） · 临夏县</h1>');
    const switched = await browser.get('/lang/en?back=%2Fcounties%2F622921');
    expect(switched.headers.getSetCookie().find((c) => c.startsWith('santong_lang=en'))).toMatch(/Max-Age=31536000/);
    const english = await browser.get('/devices');
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('Silent and at-risk devices');
    expect((await browser.get('/lang/zh-CN?back=//evil.example')).location).toBe('/');
  });

  it('has the same keys in both dictionaries, none empty, and formats per language', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    expect(Object.entries({ ...zhCN, ...en }).filter(([, v]) => v.trim() === '')).toEqual([]);
    const at = Date.parse('2026-03-02T00:30:00Z'); // 08:30 in Linxia
    // One form in both languages since decision 130: ISO order, Beijing time (Intl's "en" wrote 03/02/2026).
    expect(localeFor('zh-CN').dateTime(at)).toBe('2026-03-02 08:30');
    expect(localeFor('en').dateTime(at)).toBe('2026-03-02 08:30');
    expect(localeFor('en').number(8926)).toBe('8,926');
    // A percentage always names its base (decision 166).
    expect(localeFor('zh-CN').share(1, 3, 'schools')).toBe('占学校 33.3%');
    expect(localeFor('en').share(1, 3, 'target')).toBe('33.3% of target');
    expect(localeFor('en').share(1, 0, 'devices')).toBe('—');
    expect(localeFor('en').divisionName({ name: '康乐县', pinyin: 'Kānglè Xiàn' })).toBe('Kānglè Xiàn');
    expect(localeFor('en').divisionName({ name: '城关区', pinyin: null })).toBe('城关区');
    expect(localeFor('zh-CN').divisionName({ name: '康乐县', pinyin: 'Kānglè Xiàn' })).toBe('康乐县');
  });
});
