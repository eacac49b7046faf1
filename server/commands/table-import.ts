import type { RosterIssue, TableFile, TableFileRow } from '../registry/roster-file.ts';
import { byLine } from '../registry/table-cells.ts';

// C0 and C1 controls (ESC starts the sequences that retitle, clear or re-colour a terminal) and the
// bidirectional overrides that make text display in another order than it reads.
const unprintable = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * A line safe to print on a terminal: every control character a file supplied (in a header cell, a
 * value echoed in a problem) is shown as its escape, `\u001b`, instead of being obeyed.
 */
export function printable(line: string): string {
  return line.replace(unprintable, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

export interface TableImport<Column extends string> {
  read(file: string): Promise<TableFile<Column>>;
  /** Every problem of the rows on their own and against the registry, without writing. */
  validate(rows: TableFileRow<Column>[]): RosterIssue[] | Promise<RosterIssue[]>;
  /** Validates again and writes all rows or none. */
  apply(
    rows: TableFileRow<Column>[],
  ):
    | { errors: RosterIssue[]; warnings?: RosterIssue[]; summary: string }
    | Promise<{ errors: RosterIssue[]; warnings?: RosterIssue[]; summary: string }>;
}

/**
 * The command-line shape every all-or-nothing table import shares (`santong import-schools`,
 * `import-teacher-spaces`): the lines to print and the exit code, 1 when nothing was imported. Problems
 * print as `line N: field: reason`; a file-level problem still lets every row be checked, so one run
 * lists everything to fix. Whatever the file supplied is printed inert (see `printable`).
 */
export async function runTableImport<Column extends string>(
  file: string,
  steps: TableImport<Column>,
): Promise<{ exitCode: number; output: string[] }> {
  const result = await tableImportLines(file, steps);
  return { exitCode: result.exitCode, output: result.output.map(printable) };
}

async function tableImportLines<Column extends string>(
  file: string,
  steps: TableImport<Column>,
): Promise<{ exitCode: number; output: string[] }> {
  const format = (issue: RosterIssue) =>
    issue.line === 0 ? `${file}: ${issue.reason}` : `line ${issue.line}: ${issue.field}: ${issue.reason}`;
  let table: TableFile<Column>;
  try {
    table = await steps.read(file);
  } catch (error) {
    return { exitCode: 1, output: [`${file}: cannot read (${(error as Error).message})`] };
  }
  const warnings = table.warnings.map((w) => `warning: ${format(w)}`);
  const failed = (errors: RosterIssue[]) => {
    const problems = errors.length === 1 ? '1 problem' : `${errors.length} problems`;
    return {
      exitCode: 1,
      output: [
        ...warnings,
        ...errors.map(format),
        `${file}: nothing imported; fix the ${problems} above and import again`,
      ],
    };
  };
  if (table.errors.length > 0) return failed([...table.errors, ...(await steps.validate(table.rows))].sort(byLine));
  const result = await steps.apply(table.rows);
  if (result.errors.length > 0) return failed(result.errors);
  return {
    exitCode: 0,
    output: [...warnings, ...(result.warnings ?? []).map((w) => `warning: ${format(w)}`), `${file}: ${result.summary}`],
  };
}
