import { statement, type Param, type Statement } from './store.ts';

/*
 * Many rows in few statements. On PostgreSQL every statement is a round trip, and a statement per row was most of a
 * report group's time (issue 14); on SQLite a statement costs less but still more than a row of a larger one.
 * Statements are prepared once per size, so a size is a power of two and any number of rows goes in as few
 * statements as its binary digits (12 rows = 8 + 4).
 */

/** The row counts a multi-row statement is prepared for, largest first. */
const SIZES = [32, 16, 8, 4, 2, 1] as const;

/**
 * One statement per size, `sql(values)` with `values` that many `(?, …)` groups of `columns` placeholders each;
 * the answer gives the one for a chunk's row count. Define at module level, as every statement.
 */
export function multiRowStatements<Row = never>(
  columns: number,
  sql: (values: string) => string,
): (rows: number) => Statement<Row, Param[]> {
  const group = `(${Array(columns).fill('?').join(', ')})`;
  const bySize = new Map(SIZES.map((rows) => [rows, statement<Row, Param[]>(sql(Array(rows).fill(group).join(', ')))]));
  return (rows) => {
    const found = bySize.get(rows as (typeof SIZES)[number]);
    if (!found) throw new Error(`no multi-row statement for ${rows} rows; chunk them with multiRowChunks`);
    return found;
  };
}

/**
 * One statement per size for a list of values, `sql(list)` with `list` that many `?` (for `in (…)`); the answer gives
 * the one for a list from listChunks.
 */
export function listStatements<Row = never>(
  sql: (list: string) => string,
): (values: number) => Statement<Row, Param[]> {
  const bySize = new Map(SIZES.map((n) => [n, statement<Row, Param[]>(sql(Array(n).fill('?').join(', ')))]));
  return (values) => {
    const found = bySize.get(values as (typeof SIZES)[number]);
    if (!found) throw new Error(`no list statement for ${values} values; chunk them with listChunks`);
    return found;
  };
}

/**
 * `values` in lists of at most the largest size, each padded to a prepared size by repeating its last value: a
 * value twice in an `in (…)` matches as once, and a list needs one statement, not one per binary digit.
 */
export function* listChunks<T>(values: readonly T[]): Generator<T[]> {
  const largest = SIZES[0];
  for (let at = 0; at < values.length; at += largest) {
    const chunk = values.slice(at, at + largest);
    const size = [...SIZES].reverse().find((n) => n >= chunk.length)!;
    yield [...chunk, ...Array<T>(size - chunk.length).fill(chunk[chunk.length - 1]!)];
  }
}

/** `rows` in chunks of the prepared sizes, largest first. */
export function* multiRowChunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let at = 0; at < rows.length;) {
    const size = SIZES.find((n) => n <= rows.length - at)!;
    yield rows.slice(at, at + size);
    at += size;
  }
}
