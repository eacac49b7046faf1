import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { optionalRosterColumns, requiredRosterColumns, type RosterColumn } from '../../shared/schemas/school.ts';
import { csvBeyondLimits, tableLimits } from './table-limits.ts';
import { whyNotUtf8 } from './text-encoding.ts';
import { xlsxBeyondLimits } from './xlsx-guard.ts';

/** A problem a person fixes in the file: `line N: field: reason`. Line 1 is the header; line 0 is the whole file. */
export interface RosterIssue {
  line: number;
  field: string;
  reason: string;
}

/** One data row: its cells by column (every column of the header, '' when blank) and where it came from. */
export interface TableFileRow<Column extends string> {
  line: number;
  cells: Partial<Record<Column, string | number>>;
}
export type RosterFileRow = TableFileRow<RosterColumn>;

/** The columns a kind of file must have and may have; others are reported and ignored. */
export interface TableColumns<Column extends string> {
  required: readonly Column[];
  optional: readonly Column[];
}

export interface TableFile<Column extends string> {
  rows: TableFileRow<Column>[];
  /** File-level problems (not UTF-8, missing columns, unreadable rows); when any, rows must not be imported. */
  errors: RosterIssue[];
  /** Worth telling the person, but the file imports: unknown columns, extra sheets. */
  warnings: RosterIssue[];
}
export type RosterFile = TableFile<RosterColumn>;

type Cell = string | number;

const rosterColumns: TableColumns<RosterColumn> = { required: requiredRosterColumns, optional: optionalRosterColumns };
const zipMagic = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const oleMagic = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/** Reads a CSV or XLSX school roster into rows with their source line numbers (XLSX: sheet row numbers). */
export function readRosterFile(file: string): Promise<RosterFile> {
  return readTableFile(file, rosterColumns);
}

/** Reads any CSV or XLSX table santong imports (rosters, teacher spaces) against its columns, with source line numbers. */
export async function readTableFile<Column extends string>(
  file: string,
  columns: TableColumns<Column>,
): Promise<TableFile<Column>> {
  let bytes: Buffer;
  const handle = await fs.open(file, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return fileError('is not a file');
    if (stat.size > tableLimits.fileBytes) {
      return fileError(
        `is ${(stat.size / 2 ** 20).toFixed(1)} MiB; a table file is at most ${tableLimits.fileBytes / 2 ** 20} MiB (a 20,000-row roster is about 2)`,
      );
    }
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  // Content decides, not the name: people rename .xlsx to .csv and back.
  if (bytes.subarray(0, 4).equals(zipMagic)) {
    const beyond = xlsxBeyondLimits(bytes);
    return beyond.length > 0 ? { rows: [], errors: beyond, warnings: [] } : readXlsx(bytes, columns);
  }
  if (bytes.subarray(0, 4).equals(oleMagic) || path.extname(file).toLowerCase() === '.xls') {
    return fileError('is an old Excel .xls workbook; save it as .xlsx or as "CSV UTF-8"');
  }
  if (path.extname(file).toLowerCase() === '.xlsx') return fileError('is not a valid .xlsx workbook');
  return readCsv(bytes, columns);
}

function fileError<Column extends string>(reason: string): TableFile<Column> {
  return { rows: [], errors: [{ line: 0, field: 'file', reason }], warnings: [] };
}

function readCsv<Column extends string>(bytes: Buffer, columns: TableColumns<Column>): TableFile<Column> {
  const notUtf8 = whyNotUtf8(bytes);
  if (notUtf8) return fileError(notUtf8);
  const beyond = csvBeyondLimits(bytes);
  if (beyond) return { rows: [], errors: [beyond], warnings: [] };
  let records: { record: string[]; info: { bytes: number } }[];
  try {
    // With info: true each record comes with where it ended; csv-parse's types do not model that option.
    // Whole lines starting with # are notes (the sample roster says it is a sample); no code or name starts with #.
    records = parse(bytes, {
      bom: true,
      info: true,
      comment: '#',
      comment_no_infix: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    // csv-parse finds an unclosed quote only at the end of the file, so its line number points nowhere useful.
    if ((error as { code?: unknown }).code === 'CSV_QUOTE_NOT_CLOSED') {
      return fileError('has a " that opens a quoted cell and is never closed; look for a stray " in a name');
    }
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as { lines: number }).lines : 0;
    return { rows: [], errors: [{ line, field: 'file', reason: (error as Error).message }], warnings: [] };
  }
  const startLine = lineCounter(bytes);
  const lines = records.map(({ record, info }) => ({ line: startLine(info.bytes, record), cells: record }));
  return tabulate(lines, columns);
}

/*
 * csv-parse reports where a record ends in bytes; a record starts on the line of its end, less the line
 * breaks inside its quoted fields. Counting LF bytes is safe in UTF-8 and covers both LF and CRLF files.
 * Records come in order, so the count carries on from the previous record instead of rescanning.
 */
function lineCounter(bytes: Buffer): (end: number, record: string[]) => number {
  let scanned = 0;
  let breaks = 0;
  return (end, record) => {
    const last = bytes[end - 1] === 0x0a ? end - 1 : end;
    for (; scanned < last; scanned++) if (bytes[scanned] === 0x0a) breaks++;
    const inside = record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
    return breaks + 1 - inside;
  };
}

async function readXlsx<Column extends string>(
  bytes: Buffer,
  columns: TableColumns<Column>,
): Promise<TableFile<Column>> {
  // Loaded on first use, as toXlsx does: exceljs costs every `santong` process ~0.4 s of CPU to load.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  } catch (error) {
    return fileError(`is not a readable .xlsx workbook (${(error as Error).message})`);
  }
  const [sheet, ...others] = workbook.worksheets;
  if (!sheet) return fileError('has no worksheet');
  const lines: { line: number; cells: Cell[] }[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: Cell[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      cells[column - 1] = xlsxCell(cell.value);
    });
    lines.push({ line: rowNumber, cells: Array.from(cells, (c) => c ?? '') });
  });
  const result = tabulate(lines, columns);
  if (others.length > 0) {
    const names = others.map((s) => s.name).join(', ');
    result.warnings.push({
      line: 0,
      field: 'file',
      reason: `only the first sheet "${sheet.name}" was read; ignored: ${names}`,
    });
  }
  return result;
}

/** Excel cell values come as numbers, text, rich text, hyperlinks or formulas; the roster wants the shown value. */
function xlsxCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return value.error;
  if ('result' in value) return value.result === undefined ? '' : xlsxCell(value.result);
  return '';
}

const isBlank = (cell: Cell | undefined) => cell === undefined || String(cell).trim() === '';

/** Turns raw lines (the first non-blank one is the header) into rows keyed by known column. */
function tabulate<Column extends string>(
  lines: { line: number; cells: Cell[] }[],
  columns: TableColumns<Column>,
): TableFile<Column> {
  const knownColumns: readonly string[] = [...columns.required, ...columns.optional];
  const nonBlank = lines.filter((l) => !l.cells.every(isBlank));
  const [header, ...data] = nonBlank;
  const errors: RosterIssue[] = [];
  const warnings: RosterIssue[] = [];
  if (!header) return fileError('is empty; the first line must name the columns: ' + columns.required.join(','));

  const names = header.cells.map((c) => String(c).trim().toLowerCase());
  const firstIndex = new Map<string, number>();
  names.forEach((name, i) => {
    if (!firstIndex.has(name)) firstIndex.set(name, i);
  });
  names.forEach((name, i) => {
    if (name === '' && data.every((row) => isBlank(row.cells[i]))) return;
    if (name === '') errors.push({ line: header.line, field: `column ${i + 1}`, reason: 'has values but no name' });
    else if (firstIndex.get(name) !== i)
      errors.push({ line: header.line, field: name, reason: 'appears twice; keep one' });
    else if (!knownColumns.includes(name)) {
      warnings.push({
        line: header.line,
        field: name,
        reason: `unknown column, ignored (known: ${knownColumns.join(', ')})`,
      });
    }
  });
  for (const column of columns.required) {
    if (!names.includes(column))
      errors.push({ line: header.line, field: column, reason: 'required column is missing' });
  }
  if (errors.length > 0) return { rows: [], errors, warnings };

  const rows: TableFileRow<Column>[] = [];
  for (const { line, cells } of data) {
    const extra = cells.slice(names.length).filter((c) => !isBlank(c)).length;
    if (extra > 0) {
      errors.push({
        line,
        field: 'row',
        reason: `has ${extra} value(s) beyond the ${names.length} named columns; check for a stray comma`,
      });
      continue;
    }
    const row: TableFileRow<Column> = { line, cells: {} };
    names.forEach((name, i) => {
      if (knownColumns.includes(name)) row.cells[name as Column] = cells[i] ?? '';
    });
    rows.push(row);
  }
  return { rows, errors, warnings };
}
