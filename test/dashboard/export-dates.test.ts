import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { addClosure } from '../../server/programme/closures.ts';
import { createDashboardUsers, DashboardClient, seedDevices } from '../helpers/dashboard.ts';
import { byTest, startTestServer, testClock, type TestServer } from '../helpers/server.ts';

/*
 * Dates and times as people meet them (decision 130), through a real server on 127.0.0.1: pages in both
 * languages show Beijing time in ISO order, XLSX holds date cells with the Beijing wall clock, CSV states
 * +08:00. The clock stands 35 minutes after Beijing midnight, when Intl's English used to print 24:35.
 */
const NOW = '2026-12-01T16:35:00Z'; // 2026-12-02 00:35 in Beijing, still 1 December in UTC

let server: TestServer;
afterEach(async () => server?.close());

async function signedIn(username: string) {
  server = await startTestServer({ clock: testClock(NOW) });
  await createDashboardUsers(server);
  await seedDevices(server);
  await addClosure(
    server.store,
    { name: '寒假', startsOn: '2027-01-18', endsOn: '2027-02-24' },
    server.clock(),
    byTest,
  );
  const client = DashboardClient.forUrl(server.url);
  await client.signIn(username);
  return client;
}

async function openSheet(bytes: Uint8Array) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes) as never);
  return workbook.worksheets[0]!;
}

describe('dates and times in pages and exports', () => {
  it('shows the minutes after Beijing midnight as 00:xx, and ISO dates, on the Chinese and English pages', async () => {
    const bureau = await signedIn('bureau');
    for (const lang of ['zh-CN', 'en']) {
      await bureau.get(`/lang/${lang}?back=/`);
      const school = await bureau.get('/schools/6229210001');
      expect(school.status).toBe(200);
      expect(school.text).toContain(`<html lang="${lang}">`);
      expect(school.text).toContain('<td>2026-12-02 00:34</td>'); // the last report, a minute before now
      expect(school.text).not.toMatch(/\b24:\d\d\b|\d{2}\/\d{2}\/\d{4}|2026\/12\/02/);
      const calendar = await bureau.get('/calendar');
      expect(calendar.text).toContain('2027-01-18');
      expect(calendar.text).toContain(lang === 'en' ? 'Beijing time (UTC+8)' : '北京时间（UTC+8）');
    }
  });

  it('writes instants as date cells of the Beijing wall clock and days as date cells, with a filter and a frozen header', async () => {
    const bureau = await signedIn('bureau');
    const devices = await openSheet((await bureau.get('/devices/attention.xlsx')).bytes);
    const header = (devices.getRow(1).values as unknown[]).slice(1);
    const column = header.indexOf('最近上报（北京时间）') + 1;
    expect(column).toBeGreaterThan(0);
    const cell = devices.getRow(2).getCell(column);
    expect(cell.value).toBeInstanceOf(Date);
    // The wall clock a reader in Linxia saw, stored zone-free as Excel does; UTC would read 2026-11-10 16:35.
    expect((cell.value as Date).toISOString()).toBe('2026-11-11T00:35:00.000Z');
    expect(cell.numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(devices.autoFilter).toBe(`A1:${devices.getColumn(header.length).letter}${devices.rowCount}`);
    expect(devices.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });

    const closures = await openSheet((await bureau.get('/calendar.xlsx')).bytes);
    const closureHeader = (closures.getRow(1).values as unknown[]).slice(1);
    const starts = closures.getRow(2).getCell(closureHeader.indexOf('开始日期') + 1);
    expect((starts.value as Date).toISOString()).toBe('2027-01-18T00:00:00.000Z');
    expect(starts.numFmt).toBe('yyyy-mm-dd');
    expect(closures.getRow(2).getCell(closureHeader.indexOf('天数') + 1).value).toBe(38);

    await bureau.get('/lang/en?back=/');
    const english = await openSheet((await bureau.get('/devices/attention.xlsx')).bytes);
    expect((english.getRow(1).values as unknown[]).slice(1)).toContain('Last report (Beijing time)');
  });

  it('writes instants to CSV as ISO 8601 with the +08:00 offset stated', async () => {
    const bureau = await signedIn('bureau');
    const csv = await bureau.get('/devices/attention.csv');
    const [header, first] = csv.text
      .slice(1)
      .split('\r\n')
      .map((line) => line.split(','));
    expect(first![header!.indexOf('最近上报')]).toBe('2026-11-11T00:35:00+08:00');
  });
});
