import ExcelJS from 'exceljs';

/**
 * XLSX for people who open exports in Excel or WPS: one sheet, a bold frozen header row, numbers kept
 * as numbers. Cells are written as values, never formulas, so text that starts with "=" stays text.
 */
export type XlsxCell = string | number | boolean | null;

/** Builds a one-sheet workbook from a header row and data rows. */
export async function toXlsx(
  sheetName: string,
  headers: readonly string[],
  rows: Iterable<readonly XlsxCell[]>,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'santong';
  // Sheet names: at most 31 characters, none of : \ / ? * [ ]
  const sheet = workbook.addWorksheet(sheetName.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Sheet1', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.addRow([...headers]).font = { bold: true };
  const widths = headers.map((h) => Math.max(8, h.length * 2));
  for (const row of rows) {
    sheet.addRow(row.map((v) => (v === null ? null : v)));
    row.forEach((v, i) => {
      const length = v === null ? 0 : String(v).length * (typeof v === 'string' && /[^\x00-\xff]/.test(v) ? 2 : 1);
      widths[i] = Math.min(60, Math.max(widths[i] ?? 8, length + 2));
    });
  }
  widths.forEach((w, i) => (sheet.getColumn(i + 1).width = w));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** An XLSX download response with a file name. */
export function xlsxResponse(body: Buffer, fileName: string): Response {
  return new Response(new Uint8Array(body), {
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="${fileName}"`,
    },
  });
}
