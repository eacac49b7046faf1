import type { RosterIssue } from './roster-file.ts';

/*
 * How big a table file (roster, teacher spaces) may be, checked before the work that grows with it
 * (issue 11, item 5: a 4 MB XLSX zip bomb ran the heap out, a 10^6-column CSV never finished). A
 * prefecture has a few thousand schools (Linxia 1,492): the limits are several times the largest
 * real file and far below what stalls the machine.
 */
export const tableLimits = {
  /** The file as it lies on disk. */
  fileBytes: 16 * 1024 * 1024,
  /** Data rows below the header. */
  rows: 20_000,
  /** A roster has 9 known columns; exports from other systems carry a few dozen more, ignored. */
  columns: 100,
  /** XLSX: the parts of the zip once inflated, all together (a 20,000-row roster is ~8 MiB). */
  xlsxInflatedBytes: 32 * 1024 * 1024,
  /** XLSX: parts in the zip (Excel writes about a dozen). */
  xlsxEntries: 1_000,
} as const;

const count = (n: number) => n.toLocaleString('en');

/** The problem of a line at `line` that lies beyond the row limit. */
export function tooManyRows(line: number): RosterIssue {
  return {
    line,
    field: 'row',
    reason: `the file has more than ${count(tableLimits.rows)} rows below its header; split it into files of at most ${count(tableLimits.rows)} rows`,
  };
}

/** The problem of a line with a cell in a column beyond the limit (1-based). */
export function tooManyColumns(line: number, column: number): RosterIssue {
  return {
    line,
    field: 'row',
    reason: `has a cell in column ${count(column)}; a table has at most ${tableLimits.columns} columns (look for stray values far to the right)`,
  };
}

const comma = 0x2c;
const quote = 0x22;
const newline = 0x0a;

/**
 * The first line of CSV bytes beyond the row or column limit, or null: one pass before csv-parse, which
 * took 11 s for one line of 10^6 cells. Commas inside quotes do not count; a line counts as a row when
 * it holds anything but commas and white space.
 */
export function csvBeyondLimits(bytes: Uint8Array): RosterIssue | null {
  let line = 1;
  let rows = 0;
  let columns = 1;
  let content = false;
  let quoted = false;
  for (let i = 0; i <= bytes.length; i++) {
    const byte = i < bytes.length ? bytes[i]! : newline;
    if (byte === quote) quoted = !quoted;
    if (quoted) {
      content = true;
      if (byte === newline) line++;
      continue;
    }
    if (byte === comma) {
      if (++columns > tableLimits.columns) return tooManyColumns(line, columns);
    } else if (byte === newline) {
      if (content && ++rows > tableLimits.rows + 1) return tooManyRows(line);
      line++;
      columns = 1;
      content = false;
    } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) content = true;
  }
  return null;
}
