import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRosterFile } from '../../server/registry/roster-file.ts';
import { tableLimits } from '../../server/registry/table-limits.ts';
import { santong } from '../helpers/cli.ts';

/*
 * Issue 11, item 5: hostile roster files. A 4 MB XLSX zip bomb ran the heap out (exit 134, no message), a
 * 1,000,000-row XLSX took 456 s and 3.8 GB, a CSV of 10^6 columns never finished, UTF-16 files got
 * misleading errors. Every file here is built by the test; each must be refused with a message that names
 * the limit, before the work that grows with it (the zip bomb before it is inflated past its limit).
 */
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-hostile-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const header =
  'code,name,county_code,township,type_code,urban_rural_code,classroom_count,class_count,centre_school_code';
const school = (i: number) => `${6229210000 + (i % 9999)},临夏县第${i}小学,622921,韩集镇,211,210,3,3,`;

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

interface Part {
  name: string;
  data: Buffer;
  /** What the zip's directory says the part inflates to (the truth unless a test lies). */
  declaredSize?: number;
}

/** A zip as Excel writes one: deflated parts, local headers, a central directory and its end record. */
function zip(parts: Part[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const deflated = zlib.deflateRawSync(part.data, { level: 9 });
    const fields = (header: Buffer, at: number) => {
      header.writeUInt16LE(20, at); // version needed
      header.writeUInt16LE(0, at + 2); // flags
      header.writeUInt16LE(8, at + 4); // deflate
      header.writeUInt32LE(0, at + 6); // time, date
      header.writeUInt32LE(zlib.crc32(part.data), at + 10);
      header.writeUInt32LE(deflated.length, at + 14);
      header.writeUInt32LE(part.declaredSize ?? part.data.length, at + 18);
      header.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    locals.push(local, name, deflated);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    fields(central, 6);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const xml = (text: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${text}`);
const cells = (row: number, values: string[]) =>
  values.map((v, i) => `<c r="${String.fromCharCode(65 + i)}${row}" t="inlineStr"><is><t>${v}</t></is></c>`).join('');

/** The smallest workbook exceljs reads: one sheet, inline strings, `sheetData` as given. */
function xlsx(sheetData: string, extra = '', sheetSize?: number): Buffer {
  const ns = 'http://schemas.openxmlformats.org';
  return zip([
    {
      name: '[Content_Types].xml',
      data: xml(
        `<Types xmlns="${ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
      ),
    },
    {
      name: '_rels/.rels',
      data: xml(
        `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: xml(
        `<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${ns}/officeDocument/2006/relationships"><sheets><sheet name="学校" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: xml(
        `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      data: xml(
        `<worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData>${sheetData}</sheetData>${extra}</worksheet>`,
      ),
      declaredSize: sheetSize,
    },
  ]);
}

const rosterRows = (count: number) =>
  [
    `<row r="1">${cells(1, header.split(','))}</row>`,
    ...Array.from({ length: count }, (_, i) => `<row r="${i + 2}">${cells(i + 2, school(i).split(','))}</row>`),
  ].join('');

describe('hostile table files', () => {
  it('reads the hand-built workbook the other cases start from', async () => {
    const table = await readRosterFile(write('good.xlsx', xlsx(rosterRows(2))));
    expect(table.errors).toEqual([]);
    expect(table.rows.map((r) => [r.line, r.cells.name])).toEqual([
      [2, '临夏县第0小学'],
      [3, '临夏县第1小学'],
    ]);
  });

  it(
    'refuses a zip bomb before inflating it: exit 1 with a message, not a heap out of memory',
    { timeout: 90_000 },
    async () => {
      // 1 GiB of rows, declared as such: refused on the directory alone, nothing inflated.
      const rows = `<row>${cells(2, school(0).split(','))}</row>`;
      const declared = write('declared.xlsx', xlsx(rosterRows(1), '', 1024 * MiB));
      expect((await readRosterFile(declared)).errors).toEqual([
        {
          line: 0,
          field: 'file',
          reason: `would inflate to 1024 MiB; an .xlsx table is at most ${tableLimits.xlsxInflatedBytes / MiB} MiB unpacked (a 20,000-row roster is about 8)`,
        },
      ]);
      // 48 MiB of rows (about 100 kB zipped) declared as 2 kB: caught at 2 kB by zlib's maxOutputLength.
      const lying = xlsx(rows.repeat(Math.ceil((48 * MiB) / rows.length)), '', 2048);
      expect(lying.length).toBeLessThan(MiB);
      const file = write('bomb.xlsx', lying);
      const result = await santong(['import-schools', file, '--data-dir', path.join(dir, 'data')]);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain(
        `${file}: inflates to more than its part xl/worksheets/sheet1.xml declares (2,048 bytes): a zip bomb or a damaged file; not read`,
      );
    },
  );

  it('refuses an XLSX beyond the row or column limit, or with a merged range exceljs would fill, by its line', async () => {
    const many = await readRosterFile(write('rows.xlsx', xlsx(rosterRows(tableLimits.rows + 1))));
    expect(many.errors).toEqual([
      {
        line: tableLimits.rows + 2,
        field: 'row',
        reason: expect.stringContaining('more than 20,000 rows below its header'),
      },
    ]);
    const wide = await readRosterFile(
      write('wide.xlsx', xlsx(`${rosterRows(2)}<row r="4"><c r="XFD4"><v>1</v></c></row>`)),
    );
    expect(wide.errors).toEqual([
      {
        line: 4,
        field: 'row',
        reason: expect.stringContaining(
          `has a cell in column 16,384; a table has at most ${tableLimits.columns} columns`,
        ),
      },
    ]);
    const merged = await readRosterFile(
      write('merged.xlsx', xlsx(rosterRows(2), '<mergeCells count="1"><mergeCell ref="A5:XFD1048576"/></mergeCells>')),
    );
    expect(merged.errors).toEqual([
      { line: 5, field: 'row', reason: expect.stringContaining('merged cells A5:XFD1048576') },
    ]);
  });

  it('refuses a CSV of 10^6 columns or too many rows at the first line beyond the limit, in one pass', async () => {
    const wide = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    const result = await readRosterFile(write('wide.csv', `${header}\n${school(1)}\n${wide}\n`));
    expect(result.errors).toEqual([
      {
        line: 3,
        field: 'row',
        reason: `has a cell in column ${tableLimits.columns + 1}; a table has at most ${tableLimits.columns} columns (look for stray values far to the right)`,
      },
    ]);
    // Commas inside quotes are text, not columns.
    const quoted = await readRosterFile(
      write('quoted.csv', `${header}\n6229210001,"${','.repeat(500)}",622921,,211,210,3,,\n`),
    );
    expect(quoted.errors).toEqual([]);
    const rows = [header, ...Array.from({ length: tableLimits.rows + 1 }, (_, i) => school(i))].join('\n');
    expect((await readRosterFile(write('rows.csv', rows))).errors).toEqual([
      {
        line: tableLimits.rows + 2,
        field: 'row',
        reason: expect.stringContaining('split it into files of at most 20,000 rows'),
      },
    ]);
  });

  it('says "save as UTF-8 CSV" for UTF-16 and other byte order marks, with or without the mark', async () => {
    const text = `${header}\n${school(1)}\n`;
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const utf16be = Buffer.from(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]));
    for (const [name, bytes, reason] of [
      ['le.csv', utf16le, 'is UTF-16 text, not UTF-8; save it as "CSV UTF-8" or as .xlsx'],
      ['be.csv', utf16be, 'is UTF-16 text, not UTF-8; save it as "CSV UTF-8" or as .xlsx'],
      [
        'nobom.csv',
        Buffer.from(text, 'utf16le'),
        'holds NUL bytes: UTF-16 text without a byte order mark, or not a table at all; save it as "CSV UTF-8" or as .xlsx',
      ],
      [
        'gb18030.csv',
        Buffer.concat([Buffer.from([0x84, 0x31, 0x95, 0x33]), Buffer.from(text)]),
        'is GB18030 text, not UTF-8; save it as "CSV UTF-8" or as .xlsx',
      ],
    ] as const) {
      expect((await readRosterFile(write(name, bytes))).errors, name).toEqual([{ line: 0, field: 'file', reason }]);
    }
  });

  it('refuses a file over the size limit without reading it', async () => {
    const file = path.join(dir, 'huge.csv');
    fs.writeFileSync(file, `${header}\n`);
    fs.truncateSync(file, tableLimits.fileBytes + 1); // sparse: nothing is written
    expect((await readRosterFile(file)).errors).toEqual([
      {
        line: 0,
        field: 'file',
        reason: `is 16.0 MiB; a table file is at most 16 MiB (a 20,000-row roster is about 2)`,
      },
    ]);
  });
});
