import { chinaWallClockDate, dayAsDate } from '../../shared/time/china-time-text.ts';

/**
 * XLSX for people who open exports in Excel or WPS: one sheet, a bold frozen header row with an auto-filter,
 * numbers kept as numbers, and instants and days as real date cells (sortable, filterable by month).
 * Cells are written as values, never formulas, so text that starts with "=" stays text.
 */
export type XlsxCell = string | number | boolean | null;

/** One sheet column: its header, and whether its values are instants or local days (`YYYY-MM-DD`). */
export interface XlsxColumn {
  header: string;
  time?: 'instant' | 'day';
}

// Excel and WPS know no time zones: an instant is stored as its Beijing wall-clock time (the header says
// so), a day as that day; both as serial numbers shown through a date format.
const formats = { instant: 'yyyy-mm-dd hh:mm', day: 'yyyy-mm-dd' } as const;
const dateWidths = { instant: 18, day: 12 } as const;

// The date a cell of an instant or day column holds; null when the value is none or not a date (kept as is).
function dateCell(time: 'instant' | 'day', value: XlsxCell): Date | null {
  if (time === 'day') return typeof value === 'string' ? dayAsDate(value) : null;
  return typeof value === 'string' || typeof value === 'number' ? chinaWallClockDate(value) : null;
}

// Column width in characters: a CJK character takes about two.
const textWidth = (v: XlsxCell | Date) =>
  v === null ? 0 : String(v).length * (typeof v === 'string' && /[^\x00-\xff]/.test(v) ? 2 : 1);

/** Builds a one-sheet workbook from columns and data rows. */
export async function toXlsx(
  sheetName: string,
  columns: readonly XlsxColumn[],
  rows: Iterable<readonly XlsxCell[]>,
): Promise<Buffer> {
  // Loaded on first use: exceljs costs every `santong` process (server or command) ~0.4 s of CPU to load.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'santong';
  // Sheet names: at most 31 characters, none of : \ / ? * [ ]
  const sheet = workbook.addWorksheet(sheetName.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Sheet1', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.addRow(columns.map((c) => c.header)).font = { bold: true };
  const widths = columns.map((c) => Math.max(8, textWidth(c.header) + 2));
  for (const row of rows) {
    const values = row.map((v, i) => {
      const time = columns[i]?.time;
      return (time && dateCell(time, v)) ?? v;
    });
    const added = sheet.addRow(values);
    values.forEach((v, i) => {
      const time = columns[i]?.time;
      if (time && v instanceof Date) {
        added.getCell(i + 1).numFmt = formats[time];
        widths[i] = Math.max(widths[i] ?? 8, dateWidths[time]);
      } else widths[i] = Math.min(60, Math.max(widths[i] ?? 8, textWidth(v) + 2));
    });
  }
  widths.forEach((w, i) => (sheet.getColumn(i + 1).width = w));
  // The filter covers the header and every data row, so Excel and WPS sort and filter the whole table.
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, sheet.rowCount), column: columns.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An XLSX download response with a file name. */
export function xlsxResponse(body: Buffer, fileName: string): Response {
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': XLSX_MEDIA_TYPE,
      'content-disposition': `attachment; filename="${fileName}"`,
    },
  });
}
