import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asc, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabaseFile, type Db } from '../../server/db/client.ts';
import { classrooms, schools, schoolStatus } from '../../server/db/schema.ts';
import { sqliteStore, type Store } from '../../server/db/store.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { runImportSchools } from '../../server/commands/schools.ts';

const now = Date.UTC(2026, 2, 1, 8);
const importer = { actor: 'cli:test', reason: 'county roster 2026' };
const header =
  'code,name,county_code,township,type_code,urban_rural_code,classroom_count,class_count,centre_school_code';
const hanji = '6229210001,临夏县韩集镇中心小学,622921,韩集镇,211,210,3,3,';
const yangwa = '6229210002,临夏县韩集镇阳洼小学,622921,韩集镇,211,220,2,,6229210001';

let dir: string;
let db: Db;
let store: Store;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-roster-'));
  db = openDatabaseFile(path.join(dir, 'santong.sqlite'));
  store = sqliteStore(db);
  await ensureReferenceData(store, now);
});

afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeFile(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const csv = (...lines: string[]) => lines.join('\n') + '\n';
const storedSchools = () => db.select().from(schools).orderBy(asc(schools.code)).all();
const roomsOf = (code: string) =>
  db
    .select({ code: classrooms.code, name: classrooms.name })
    .from(classrooms)
    .where(eq(classrooms.schoolCode, code))
    .orderBy(asc(classrooms.id))
    .all();

describe('import-schools', () => {
  it('imports a good CSV: schools, classrooms 1..N and their derived status', async () => {
    const file = writeFile('schools.csv', csv(header, hanji, yangwa));
    const result = await runImportSchools(store, file, now, importer);

    expect(result).toEqual({
      exitCode: 0,
      output: [`${file}: 2 created, 0 updated, 0 unchanged; 5 classrooms created`],
    });
    expect(storedSchools()).toEqual([
      {
        code: '6229210001',
        name: '临夏县韩集镇中心小学',
        countyCode: '622921',
        township: '韩集镇',
        typeCode: '211',
        urbanRuralCode: '210',
        classCount: 3,
        centreSchoolCode: null,
        createdAt: now,
        updatedAt: now,
      },
      {
        code: '6229210002',
        name: '临夏县韩集镇阳洼小学',
        countyCode: '622921',
        township: '韩集镇',
        typeCode: '211',
        urbanRuralCode: '220',
        classCount: null,
        centreSchoolCode: '6229210001',
        createdAt: now,
        updatedAt: now,
      },
    ]);
    expect(roomsOf('6229210001')).toEqual([
      { code: '1', name: '1号教室' },
      { code: '2', name: '2号教室' },
      { code: '3', name: '3号教室' },
    ]);
    const status = db.select().from(schoolStatus).where(eq(schoolStatus.schoolCode, '6229210001')).get();
    expect(status?.classroomsRegistered).toBe(3);
  });

  it('reads UTF-8 with a BOM and CRLF line ends, and header names in any case with spaces', async () => {
    const content =
      '\uFEFF' +
      [
        ' Code ,NAME,County_Code,township,type_code,urban_rural_code,classroom_count',
        '6229210001,临夏县韩集镇中心小学,622921,韩集镇,211,210,3',
      ].join('\r\n') +
      '\r\n';
    const result = await runImportSchools(store, writeFile('bom.csv', content), now, importer);

    expect(result.exitCode).toBe(0);
    expect(storedSchools().map((s) => [s.code, s.name, s.classCount])).toEqual([
      ['6229210001', '临夏县韩集镇中心小学', null],
    ]);
    expect(roomsOf('6229210001')).toHaveLength(3);
  });

  it('reads XLSX whose codes are stored as numbers, reporting sheet row numbers', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('学校');
    sheet.getRow(1).values = header.split(',');
    sheet.getRow(2).values = [6229210001, '临夏县韩集镇中心小学', 622921, '韩集镇', 211, 210, 3, 3, null];
    sheet.getRow(3).values = [
      6229210002,
      { richText: [{ text: '临夏县韩集镇' }, { text: '阳洼小学' }] },
      622921,
      '韩集镇',
      211,
      220,
      2,
      null,
      6229210001,
    ];
    const good = path.join(dir, 'good.xlsx');
    await workbook.xlsx.writeFile(good);

    expect((await runImportSchools(store, good, now, importer)).exitCode).toBe(0);
    expect(storedSchools().map((s) => [s.code, s.name, s.countyCode, s.typeCode, s.centreSchoolCode])).toEqual([
      ['6229210001', '临夏县韩集镇中心小学', '622921', '211', null],
      ['6229210002', '临夏县韩集镇阳洼小学', '622921', '211', '6229210001'],
    ]);

    // Row 4 is left blank, so the bad row is sheet row 5 even though it is the third data row.
    sheet.getRow(5).values = [6229210003, '临夏县韩集镇双城教学点', 622921, '韩集镇', 219, 220, 1.5, null, null];
    const bad = path.join(dir, 'bad.dat');
    await workbook.xlsx.writeFile(bad);
    const result = await runImportSchools(store, bad, now, importer);
    expect(result.exitCode).toBe(1);
    expect(result.output[0]).toMatch(
      /^line 5: type_code: 219 is not a GB\/T 33782 school type; use one of 211 primary/,
    );
    expect(result.output[1]).toBe('line 5: classroom_count: must be a whole number like 12');
  });

  it('imports nothing from a file with bad rows and reports every one as line N: field: reason', async () => {
    const file = writeFile(
      'bad.csv',
      csv(
        header,
        hanji,
        '6229210002,"临夏县韩集镇',
        '阳洼小学",622921,韩集镇,219,220,2,,',
        '',
        '6229210001,重复的学校,622921,韩集镇,211,210,3,,',
        '6229990001,,622999,,211,210,3,,',
        '6229210004,临夏县韩集镇双城教学点,622921,韩集镇,218,220,1,,6229219999',
        '6229220001,康乐县某小学,622922,附城镇,211,220,1,,6229210001',
      ),
    );
    const result = await runImportSchools(store, file, now, importer);

    expect(result.exitCode).toBe(1);
    expect(result.output.map((line) => line.split(';')[0])).toEqual([
      'line 3: type_code: 219 is not a GB/T 33782 school type',
      'line 6: code: 6229210001 is also on line 2',
      'line 7: name: is empty',
      'line 7: county_code: 622999 is not a county under 622900 (临夏回族自治州)',
      'line 8: centre_school_code: 6229219999 is neither in this file nor in the registry',
      'line 9: centre_school_code: 6229210001 is in county 622921, this school in 622922',
      `${file}: nothing imported`,
    ]);
    expect(result.output[3]).toContain('use one of 622901 临夏市, 622921 临夏县');
    expect(storedSchools()).toEqual([]);
    expect(db.select().from(classrooms).all()).toEqual([]);
  });

  it('prints terminal escape sequences from header and value cells inert, never as commands to the terminal', async () => {
    const retitle = '\u001b]0;pwned\u0007';
    const clear = '\u001b[2J\u001b[H';
    const file = writeFile(
      'escapes.csv',
      csv(`${header},note${retitle}`, `${hanji},x`, `6229210002,临夏县阳洼小学,622921,韩集镇,21${clear}1,220,2,,,y`),
    );
    const result = await runImportSchools(store, file, now, importer);
    expect(result.exitCode).toBe(1);
    const printed = result.output.join('\n');
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(printed).toContain('note\\u001b]0;pwned\\u0007');
    expect(printed).toContain('line 3: type_code: 21\\u001b[2J\\u001b[H1');
    expect(storedSchools()).toEqual([]);
  });

  it('reports a row with a stray comma together with the other bad rows', async () => {
    const stray = '6229210003,临夏县韩集镇双城教学点,622921,韩集镇,218,220,1,,,多余';
    const result = await runImportSchools(
      store,
      writeFile('stray.csv', csv(header, hanji, stray, yangwa.replace(',211,', ',999,'))),
      now,
      importer,
    );

    expect(result.exitCode).toBe(1);
    expect(result.output.map((line) => line.split(';')[0])).toEqual([
      'line 3: row: has 1 value(s) beyond the 9 named columns',
      'line 4: type_code: 999 is not a GB/T 33782 school type',
      expect.stringMatching(/nothing imported/),
    ]);
    expect(storedSchools()).toEqual([]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const file = writeFile('schools.csv', csv(header, hanji, yangwa));
    await runImportSchools(store, file, now, importer);
    const before = { schools: storedSchools(), rooms: db.select().from(classrooms).all() };

    const again = await runImportSchools(store, file, now + 60_000, importer);
    expect(again.output).toEqual([`${file}: 0 created, 0 updated, 2 unchanged; 0 classrooms created`]);
    expect({ schools: storedSchools(), rooms: db.select().from(classrooms).all() }).toEqual(before);
  });

  it('updates a renamed school by code and leaves its classrooms alone', async () => {
    await runImportSchools(store, writeFile('v1.csv', csv(header, hanji)), now, importer);
    const renamed = hanji.replace('临夏县韩集镇中心小学', '临夏县韩集镇中心学校').replace(',211,', ',312,');
    const result = await runImportSchools(store, writeFile('v2.csv', csv(header, renamed)), now + 1000, importer);

    expect(result.output).toEqual([expect.stringMatching(/0 created, 1 updated, 0 unchanged; 0 classrooms created$/)]);
    expect(storedSchools().map((s) => [s.name, s.typeCode, s.createdAt, s.updatedAt])).toEqual([
      ['临夏县韩集镇中心学校', '312', now, now + 1000],
    ]);
    expect(roomsOf('6229210001').map((r) => r.code)).toEqual(['1', '2', '3']);
  });

  it('creates classrooms once, tops them up when the count grows and never deletes when it shrinks', async () => {
    await runImportSchools(store, writeFile('v1.csv', csv(header, hanji)), now, importer);
    await runImportSchools(store, writeFile('v1-again.csv', csv(header, hanji)), now, importer);
    expect(roomsOf('6229210001').map((r) => r.code)).toEqual(['1', '2', '3']);

    const grown = await runImportSchools(
      store,
      writeFile('v2.csv', csv(header, hanji.replace(',210,3,', ',210,5,'))),
      now,
      importer,
    );
    expect(grown.output.at(-1)).toMatch(/1 updated, 0 unchanged; 2 classrooms created$/);
    expect(roomsOf('6229210001').map((r) => r.code)).toEqual(['1', '2', '3', '4', '5']);

    const shrunk = await runImportSchools(
      store,
      writeFile('v3.csv', csv(header, hanji.replace(',210,3,', ',210,2,'))),
      now,
      importer,
    );
    expect(shrunk.exitCode).toBe(0);
    expect(shrunk.output[0]).toMatch(
      /^warning: line 2: classroom_count: 6229210001 has 5 classrooms registered and the file says 2; none were removed/,
    );
    expect(roomsOf('6229210001')).toHaveLength(5);
  });

  it('keeps stored optional values when the file lacks the column, clears them when the cell is blank', async () => {
    await runImportSchools(store, writeFile('full.csv', csv(header, hanji, yangwa)), now, importer);
    const narrow = 'code,name,county_code,type_code,urban_rural_code,classroom_count,remark';
    const result = await runImportSchools(
      store,
      writeFile('narrow.csv', csv(narrow, '6229210002,临夏县韩集镇阳洼小学,622921,211,220,2,新建')),
      now,
      importer,
    );
    expect(result.output[0]).toMatch(/^warning: line 1: remark: unknown column, ignored/);
    expect(result.output.at(-1)).toMatch(/0 created, 0 updated, 1 unchanged/);

    await runImportSchools(store, writeFile('blank.csv', csv(header, yangwa.replace('6229210001', ''))), now, importer);
    expect(storedSchools()[1]?.centreSchoolCode).toBeNull();
    expect(storedSchools()[1]?.township).toBe('韩集镇');
  });

  it('names a missing required column and refuses a GBK file instead of importing mojibake', async () => {
    const missing = await runImportSchools(
      store,
      writeFile('missing.csv', csv('code,name,county_code,type_code,classroom_count', '1,a,622921,211,1')),
      now,
      importer,
    );
    expect(missing.exitCode).toBe(1);
    expect(missing.output[0]).toBe('line 1: urban_rural_code: required column is missing');

    // "韩集" in GBK: not valid UTF-8.
    const gbk = Buffer.concat([
      Buffer.from(`${header}\n6229210001,`),
      Buffer.from([0xba, 0xab, 0xbc, 0xaf]),
      Buffer.from(',622921,,211,210,3,,\n'),
    ]);
    const result = await runImportSchools(store, writeFile('gbk.csv', gbk), now, importer);
    expect(result.exitCode).toBe(1);
    expect(result.output[0]).toMatch(/is not UTF-8.*save it as "CSV UTF-8"/);
    expect(storedSchools()).toEqual([]);
  });

  it('imports the sample roster the README uses', async () => {
    const sample = fileURLToPath(new URL('../../docs/examples/schools.sample.csv', import.meta.url));
    const result = await runImportSchools(store, sample, now, importer);
    expect(result.exitCode, result.output.join('\n')).toBe(0);
    expect(storedSchools().length).toBeGreaterThanOrEqual(8);
    expect(new Set(storedSchools().map((s) => s.countyCode)).size).toBeGreaterThanOrEqual(6);
  });
});
