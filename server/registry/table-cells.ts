import type { z } from 'zod';
import type { RosterIssue } from './roster-file.ts';

/** Orders problems the way a person fixes them: top of the file first. */
export const byLine = (a: RosterIssue, b: RosterIssue) => a.line - b.line;

/**
 * Parses a row's cells field by field with an object schema's own field schemas, so one bad cell does
 * not hide the others: every problem of the row lands in `errors`. Returns the parsed fields (those
 * that were valid) and whether all were.
 */
export function parseCells(
  shape: Record<string, z.ZodType>,
  line: number,
  cells: Partial<Record<string, string | number>>,
  errors: RosterIssue[],
) {
  const row: Record<string, unknown> = { line };
  let good = true;
  for (const [field, schema] of Object.entries(shape)) {
    const parsed = schema.safeParse(cells[field]);
    if (parsed.success) row[field] = parsed.data;
    else {
      good = false;
      for (const issue of parsed.error.issues) errors.push({ line, field, reason: issue.message });
    }
  }
  return { row, good };
}
