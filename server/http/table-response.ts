import { csvResponse, toCsv, type CsvColumn } from './csv.ts';
import { toXlsx, xlsxResponse } from './xlsx.ts';

/** An API table column: its CSV header and value, and whether its values are instants or days (for XLSX). */
export interface TableColumn<Row> extends CsvColumn<Row> {
  time?: 'instant' | 'day';
}

/**
 * The rows of an API answer as a download, `?format=csv` or `?format=xlsx`: the same columns under the same
 * headers in both. CSV keeps instants as the JSON has them (ISO 8601, UTC); XLSX makes them date cells of
 * Beijing wall-clock time, and says so in the header, as the dashboard's exports do (decision 130).
 */
export async function tableResponse<Row>(
  format: 'csv' | 'xlsx',
  columns: readonly TableColumn<Row>[],
  rows: readonly Row[],
  fileBase: string,
): Promise<Response> {
  if (format === 'csv') return csvResponse(toCsv(columns, rows), `${fileBase}.csv`);
  const body = await toXlsx(
    fileBase,
    columns.map((c) => ({ header: c.time === 'instant' ? `${c.header} (UTC+8)` : c.header, time: c.time })),
    rows.map((row) => columns.map((c) => c.value(row) ?? null)),
  );
  return xlsxResponse(body, `${fileBase}.xlsx`);
}
