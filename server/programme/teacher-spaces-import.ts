import {
  teacherSpaceColumns,
  teacherSpaceProblems,
  teacherSpaceRowSchema,
  type TeacherSpaceColumn,
  type TeacherSpaceRow,
} from '../../shared/schemas/teacher-spaces.ts';
import type { AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import type { RosterIssue, TableFileRow } from '../registry/roster-file.ts';
import { writeTeacherSpaces } from './teacher-spaces.ts';
import { byLine, parseCells } from '../registry/table-cells.ts';

export type TeacherSpaceFileRow = TableFileRow<TeacherSpaceColumn>;

interface ValidRow extends TeacherSpaceRow {
  line: number;
}

const columnOf = { spacesOpened: 'spaces_opened', spacesVerified: 'spaces_verified' } as const;

/** Checks every row on its own, against the other rows and against the registry; returns every problem. */
export async function validateTeacherSpaces(
  store: Store,
  rows: TeacherSpaceFileRow[],
): Promise<{ valid: ValidRow[]; errors: RosterIssue[] }> {
  const errors: RosterIssue[] = [];
  const valid: ValidRow[] = [];
  const { schools } = store.t;
  const registered = new Set((await store.q.select({ code: schools.code }).from(schools)).map((s) => s.code));
  const firstLine = new Map<string, number>();
  for (const { line, cells } of rows) {
    // Field by field, so a row with a bad count still has its school code checked.
    const parsed = parseCells(teacherSpaceRowSchema.shape, line, cells, errors);
    const row = parsed.row;
    let good = parsed.good;
    const code = row.school_code as string | undefined;
    if (code !== undefined) {
      const first = firstLine.get(code);
      if (first !== undefined) {
        good = false;
        errors.push({ line, field: 'school_code', reason: `${code} is also on line ${first}; list each school once` });
      } else firstLine.set(code, line);
      if (!registered.has(code)) {
        good = false;
        errors.push({
          line,
          field: 'school_code',
          reason: `${code} is not in the registry; import the school with santong import-schools first`,
        });
      }
    }
    if (!good) continue;
    const checked = row as unknown as ValidRow;
    const problems = teacherSpaceProblems({
      teachers: checked.teachers,
      spacesOpened: checked.spaces_opened,
      spacesVerified: checked.spaces_verified,
    });
    for (const p of problems) errors.push({ line, field: columnOf[p.field], reason: p.reason });
    if (problems.length === 0) valid.push(checked);
  }
  return { valid, errors: errors.sort(byLine) };
}

export interface TeacherSpaceImportSummary {
  changed: number;
  unchanged: number;
  /** When any, nothing was written. */
  errors: RosterIssue[];
}

/** Validates the rows and, only if every row is good, stores each school's figures with an audit entry per change. */
export async function importTeacherSpaces(
  store: Store,
  rows: TeacherSpaceFileRow[],
  now: number,
  audit: AuditSource,
): Promise<TeacherSpaceImportSummary> {
  return store.transaction(async (tx) => {
    const { valid, errors } = await validateTeacherSpaces(tx, rows);
    if (errors.length > 0) return { changed: 0, unchanged: 0, errors };
    const { schools } = tx.t;
    const counties = new Map(
      (await tx.q.select({ code: schools.code, countyCode: schools.countyCode }).from(schools)).map((s) => [
        s.code,
        s.countyCode,
      ]),
    );
    const changed = (
      await writeTeacherSpaces(
        tx,
        valid.map((row) => ({
          school: { code: row.school_code, countyCode: counties.get(row.school_code)! },
          figures: { teachers: row.teachers, spacesOpened: row.spaces_opened, spacesVerified: row.spaces_verified },
        })),
        audit,
        now,
      )
    ).length;
    return { changed, unchanged: valid.length - changed, errors: [] };
  });
}
