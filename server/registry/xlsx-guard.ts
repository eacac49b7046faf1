import zlib from 'node:zlib';
import type { RosterIssue } from './roster-file.ts';
import { tableLimits, tooManyColumns, tooManyRows } from './table-limits.ts';

/*
 * An XLSX file is a zip of XML parts, and exceljs inflates and models all of it before we see a row: a
 * 4 MB zip bomb ran the heap out (exit 134, no message), a 1,000,000-row sheet took 456 s and 3.8 GB.
 * Before exceljs runs, the zip's central directory is read for the parts' declared sizes; each part is
 * then inflated with zlib's maxOutputLength set to its declared size, so a part that lies is caught at
 * its declared size, not after filling memory; and each worksheet's XML is scanned for its rows, cells
 * and merged ranges, the things exceljs makes objects of.
 */

const ZIP_END = 0x06054b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_LOCAL = 0x04034b50;
const MiB = 1024 * 1024;

interface ZipPart {
  name: string;
  method: number;
  encrypted: boolean;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The parts the central directory declares, or why the zip is refused. */
function zipParts(bytes: Buffer): ZipPart[] | string {
  // The end record is the last 22 bytes, or earlier by a trailing comment of up to 65,535 bytes.
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (bytes.readUInt32LE(at) === ZIP_END) {
      end = at;
      break;
    }
  }
  if (end < 0) return 'is not a readable .xlsx workbook (no zip directory; is the file complete?)';
  const entries = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  if (entries === 0xffff || at === 0xffffffff)
    return 'is a ZIP64 archive, which no roster needs; open it in Excel and save it as .xlsx again';
  if (entries > tableLimits.xlsxEntries)
    return `holds ${entries.toLocaleString('en')} parts; an .xlsx roster has about a dozen (at most ${tableLimits.xlsxEntries.toLocaleString('en')})`;
  const parts: ZipPart[] = [];
  for (let i = 0; i < entries; i++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== ZIP_CENTRAL)
      return 'is not a readable .xlsx workbook (its zip directory is damaged)';
    const nameLength = bytes.readUInt16LE(at + 28);
    parts.push({
      name: bytes.toString('utf8', at + 46, at + 46 + nameLength),
      encrypted: (bytes.readUInt16LE(at + 8) & 1) === 1,
      method: bytes.readUInt16LE(at + 10),
      compressedSize: bytes.readUInt32LE(at + 20),
      size: bytes.readUInt32LE(at + 24),
      localOffset: bytes.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return parts;
}

/** A part's bytes inflated, never more than it declares; or why not. */
function inflatePart(bytes: Buffer, part: ZipPart): Buffer | string {
  const at = part.localOffset;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== ZIP_LOCAL)
    return `is not a readable .xlsx workbook (part ${part.name} is damaged)`;
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  const data = bytes.subarray(start, start + part.compressedSize);
  if (part.method === 0)
    return part.compressedSize === part.size ? data : `is not a readable .xlsx workbook (part ${part.name} is damaged)`;
  if (part.method !== 8)
    return `is not a readable .xlsx workbook (part ${part.name} uses zip method ${part.method}; Excel uses deflate)`;
  try {
    return zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, part.size) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return `inflates to more than its part ${part.name} declares (${part.size.toLocaleString('en')} bytes): a zip bomb or a damaged file; not read`;
    }
    return `is not a readable .xlsx workbook (part ${part.name}: ${(error as Error).message})`;
  }
}

/** A spreadsheet column's number from its letters (A = 1, XFD = 16,384). */
function columnNumber(letters: string): number {
  let n = 0;
  for (const letter of letters) n = n * 26 + (letter.charCodeAt(0) - 64);
  return n;
}

const cellRef = /^([A-Z]+)(\d+)$/;

/**
 * The first row, cell or merged range of a worksheet's XML beyond the table limits, or null. Rows and
 * cells without an `r` follow the previous one, as Excel and exceljs read them. One pass over the text.
 */
function sheetBeyondLimits(xml: string, sheet: string): RosterIssue | null {
  const where = sheet.endsWith('xl/worksheets/sheet1.xml') ? '' : ` (worksheet ${sheet})`;
  const withSheet = (issue: RosterIssue): RosterIssue => ({ ...issue, reason: issue.reason + where });
  let rows = 0;
  let row = 0;
  let column = 0;
  for (const match of xml.matchAll(/<(?:\w+:)?(row|c|mergeCell)\b([^>]*)>/g)) {
    const [, element, attributes] = match;
    const ref = /\br="([^"]*)"/.exec(attributes!)?.[1];
    if (element === 'row') {
      row = ref ? Number(ref) : row + 1;
      column = 0;
      if (++rows > tableLimits.rows + 1) return withSheet(tooManyRows(row));
    } else if (element === 'c') {
      const cell = ref ? cellRef.exec(ref) : null;
      column = cell ? columnNumber(cell[1]!) : column + 1;
      if (column > tableLimits.columns) return withSheet(tooManyColumns(row, column));
    } else {
      // exceljs makes a cell of every cell a merged range covers.
      const range = /\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"/.exec(attributes!);
      if (range && (columnNumber(range[3]!) > tableLimits.columns || Number(range[4]) > tableLimits.rows + 1)) {
        return withSheet({
          line: Number(range[2]),
          field: 'row',
          reason: `has merged cells ${range[1]}${range[2]}:${range[3]}${range[4]} reaching beyond ${tableLimits.rows.toLocaleString('en')} rows or ${tableLimits.columns} columns; unmerge them`,
        });
      }
    }
  }
  return null;
}

/**
 * Why an XLSX file must not be handed to exceljs (its parts too many or too large once inflated, a part
 * inflating past its declared size, a worksheet beyond the row or column limit), or [] when it may.
 */
export function xlsxBeyondLimits(bytes: Buffer): RosterIssue[] {
  const file = (reason: string): RosterIssue[] => [{ line: 0, field: 'file', reason }];
  const parts = zipParts(bytes);
  if (typeof parts === 'string') return file(parts);
  const declared = parts.reduce((sum, part) => sum + part.size, 0);
  if (declared > tableLimits.xlsxInflatedBytes) {
    return file(
      `would inflate to ${(declared / MiB).toFixed(0)} MiB; an .xlsx table is at most ${tableLimits.xlsxInflatedBytes / MiB} MiB unpacked (a 20,000-row roster is about 8)`,
    );
  }
  if (parts.some((part) => part.encrypted))
    return file('is password-protected; remove the password in Excel and save it again');
  // Every part, those declaring 0 bytes too: exceljs's unzipper would inflate whatever they hold.
  for (const part of parts) {
    const inflated = inflatePart(bytes, part);
    if (typeof inflated === 'string') return file(inflated);
    // The parts exceljs reads as worksheets, by its own test of the name.
    if (/xl\/worksheets\/sheet\d+[.]xml/.test(part.name)) {
      const issue = sheetBeyondLimits(inflated.toString('utf8'), part.name);
      if (issue) return [issue];
    }
  }
  return [];
}
