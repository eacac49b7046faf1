import type { Child } from 'hono/jsx';
import { csvResponse, toCsv } from '../http/csv.ts';
import { toXlsx, xlsxResponse } from '../http/xlsx.ts';
import type { Locale } from '../i18n/locale.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';
import { chinaIsoWithOffset } from '../../shared/time/china-time-text.ts';

/** The counts a table takes apart (decision 165): each has a total column and part columns that add up to it. */
export type SumGroup = 'schools' | 'classrooms' | 'equipped' | 'devices';

/** One column of a dashboard table: the same definition renders the HTML table and its exports. */
export interface Column<Row> {
  label: MessageKey;
  /** The raw value: exported as is, and shown (formatted) when there is no `cell`. */
  value: (row: Row) => string | number | boolean | null;
  cell?: (row: Row) => Child;
  numeric?: boolean;
  /**
   * The value is an instant (an ISO 8601 string or epoch ms) or a local day (`YYYY-MM-DD`): shown in Beijing
   * time, exported to CSV with its +08:00 offset and to XLSX as a date cell (decision 130).
   */
  time?: 'instant' | 'day';
  /** Key for server-side sorting by this column (tables that sort). */
  sortKey?: string;
  /**
   * Where the count stands in its row's sums (decision 165): the total of a group, one of the parts that add up
   * to a group's total, or both (equipped classrooms: a part of the classrooms, the total of the display kinds).
   * Its cells carry `data-total` / `data-part`, so the sum can be read back from the page.
   */
  sums?: { total?: SumGroup; partOf?: SumGroup };
}

export interface Sorting {
  key: string;
  dir: 'asc' | 'desc';
  href: (key: string, dir: 'asc' | 'desc') => string;
}

function shown(locale: Locale, value: string | number | boolean | null, time?: 'instant' | 'day'): Child {
  if (value === null) return locale.t('value.none');
  // A day is already written as the rule wants it (YYYY-MM-DD); an instant becomes Beijing date and minute.
  if (time === 'instant' && typeof value !== 'boolean') return locale.dateTime(value);
  if (typeof value === 'boolean')
    return <span class={value ? 'yes' : 'no'}>{locale.t(value ? 'value.yes' : 'value.no')}</span>;
  if (typeof value === 'number') return locale.number(value, 1);
  return value;
}

/** A semantic table with a caption and column headers; sortable headers are links (no script needed). */
export function DataTable<Row>(props: {
  locale: Locale;
  caption: string;
  columns: Column<Row>[];
  rows: Row[];
  sorting?: Sorting;
  id?: string;
  /**
   * A list of records with more columns than a laptop's width (a county's schools): it scrolls inside its wrapper
   * there too. Every other table fits at 1366 px; on a phone every table scrolls in its wrapper (decision 167).
   */
  wide?: boolean;
}) {
  const { locale, columns, sorting } = props;
  return (
    <div class={props.wide ? 'table-wrap wide' : 'table-wrap'}>
      <table id={props.id}>
        <caption>
          {props.caption}
          {sorting && <span class="meta no-print">{` · ${locale.t('table.sortHint')}`}</span>}
        </caption>
        <thead>
          <tr>
            {columns.map((col) => {
              const active = sorting && col.sortKey === sorting.key;
              const ariaSort = active ? (sorting.dir === 'asc' ? 'ascending' : 'descending') : undefined;
              const label = locale.t(col.label);
              return (
                <th scope="col" class={col.numeric ? 'num' : undefined} aria-sort={ariaSort}>
                  {sorting && col.sortKey ? (
                    <a href={sorting.href(col.sortKey, active && sorting.dir === 'desc' ? 'asc' : 'desc')}>
                      {label}
                      {active ? (sorting.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                    </a>
                  ) : (
                    label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 ? (
            <tr>
              <td colspan={columns.length}>{locale.t('table.empty')}</td>
            </tr>
          ) : (
            props.rows.map((row) => (
              <tr>
                {columns.map((col) => (
                  <td class={col.numeric ? 'num' : undefined} data-total={col.sums?.total} data-part={col.sums?.partOf}>
                    {col.cell ? col.cell(row) : shown(locale, col.value(row), col.time)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The table as a CSV (UTF-8 with BOM) or XLSX download, headed in the reader's language. Instants go to CSV
 * as ISO 8601 with +08:00 stated (unambiguous for Excel, pandas and people alike, so the header is unchanged)
 * and to XLSX as Beijing wall-clock date cells under a header that names the zone.
 */
export async function tableExport<Row>(
  locale: Locale,
  format: 'csv' | 'xlsx',
  fileBase: string,
  columns: Column<Row>[],
  rows: Row[],
): Promise<Response> {
  const exported = (col: Column<Row>, row: Row) => {
    const v = col.value(row);
    return typeof v === 'boolean' ? locale.t(v ? 'value.yes' : 'value.no') : v;
  };
  if (format === 'csv') {
    const csvValue = (col: Column<Row>, row: Row) => {
      const v = exported(col, row);
      return col.time === 'instant' && v !== null ? chinaIsoWithOffset(v) : v;
    };
    return csvResponse(
      toCsv(
        columns.map((col) => ({ header: locale.t(col.label), value: (row: Row) => csvValue(col, row) })),
        rows,
      ),
      `${fileBase}.csv`,
    );
  }
  const body = await toXlsx(
    fileBase,
    columns.map((col) => ({
      header: locale.t(col.label) + (col.time === 'instant' ? locale.t('export.beijingTime') : ''),
      time: col.time,
    })),
    rows.map((row) => columns.map((col) => exported(col, row))),
  );
  return xlsxResponse(body, `${fileBase}.xlsx`);
}

/** Sorts rows by the column with this sort key (nulls last), or leaves them as they are. */
export function sortRows<Row>(rows: Row[], columns: Column<Row>[], key: string, dir: 'asc' | 'desc'): Row[] {
  const col = columns.find((c) => c.sortKey === key);
  if (!col) return rows;
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return (
      (typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y, 'zh-CN') : Number(x) - Number(y)) * sign
    );
  });
}

/** Both download paths of a table, e.g. /counties.csv and /counties.xlsx (one route, two literal paths). */
export function exportPaths(base: string): string[] {
  return [`${base}.csv`, `${base}.xlsx`];
}

/** The export format a request path asks for. */
export function exportFormatOf(path: string): 'csv' | 'xlsx' {
  return path.endsWith('.xlsx') ? 'xlsx' : 'csv';
}
