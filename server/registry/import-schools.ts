import { eq } from 'drizzle-orm';
import { rosterRowSchema, type RosterRow } from '../../shared/schemas/school.ts';
import type { classrooms, schools } from '../db/schema.ts';
import type { Store } from '../db/store.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { loadShippedDivisionTree } from '../divisions/reference-file.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { RosterFileRow, RosterIssue } from './roster-file.ts';
import { byLine, parseCells } from './table-cells.ts';

export interface ImportSummary {
  created: number;
  /** Schools whose registry row changed or that gained classrooms. */
  updated: number;
  unchanged: number;
  classroomsCreated: number;
  /** When any, nothing was written. */
  errors: RosterIssue[];
  warnings: RosterIssue[];
}

interface ValidRow extends RosterRow {
  line: number;
}

type StoredSchool = typeof schools.$inferSelect;

/** What cross-row checks need of a row; each field is there when that cell alone was valid. */
type CheckedRow = Partial<RosterRow> & { line: number };

/** Checks every row on its own and against the others and the registry; returns all problems, not the first. */
export async function validateRoster(
  store: Store,
  rows: RosterFileRow[],
): Promise<{ valid: ValidRow[]; errors: RosterIssue[] }> {
  const errors: RosterIssue[] = [];
  const valid: ValidRow[] = [];
  const checked: CheckedRow[] = [];
  for (const { line, cells } of rows) {
    // Field by field rather than the whole object, so a row with a blank name still has its county checked.
    const { row, good } = parseCells(rosterRowSchema.shape, line, cells, errors);
    checked.push(row as CheckedRow);
    if (good) valid.push(row as unknown as ValidRow);
  }

  const tree = await deploymentTree(store);
  const counties = new Map(tree.counties(tree.root.code).map((d) => [d.code, d.name]));
  const countyProblem = (code: string) => {
    const division = tree.get(code);
    if (division) return `${code} (${division.name}) is a ${division.level}; a school names its county-level division`;
    const known = loadShippedDivisionTree().get(code);
    if (known)
      return `${code} (${known.name}) is outside this deployment's root ${tree.root.code} (${tree.root.name}); its schools belong to another deployment`;
    const few = counties.size <= 20 ? `; use one of ${[...counties].map(([c, n]) => `${c} ${n}`).join(', ')}` : '';
    return `${code} is not a county under ${tree.root.code} (${tree.root.name})${few}`;
  };
  const { schools } = store.t;
  const stored = new Map(
    (await store.q.select({ code: schools.code, countyCode: schools.countyCode }).from(schools)).map((s) => [
      s.code,
      s.countyCode,
    ]),
  );
  const inFile = new Map<string, CheckedRow>();
  for (const row of checked) {
    const first = row.code === undefined ? undefined : inFile.get(row.code);
    if (first)
      errors.push({
        line: row.line,
        field: 'code',
        reason: `${row.code} is also on line ${first.line}; list each school once`,
      });
    else if (row.code !== undefined) inFile.set(row.code, row);
    if (row.county_code !== undefined && !counties.has(row.county_code)) {
      errors.push({
        line: row.line,
        field: 'county_code',
        reason: countyProblem(row.county_code),
      });
    }
  }
  for (const row of checked) {
    if (row.centre_school_code == null) continue;
    const centre = inFile.get(row.centre_school_code);
    if (!centre && !stored.has(row.centre_school_code)) {
      errors.push({
        line: row.line,
        field: 'centre_school_code',
        reason: `${row.centre_school_code} is neither in this file nor in the registry; add the centre school or leave the cell blank`,
      });
      continue;
    }
    const centreCounty = centre ? centre.county_code : stored.get(row.centre_school_code);
    if (centreCounty !== undefined && row.county_code !== undefined && centreCounty !== row.county_code) {
      // A centre school (中心校) oversees the schools of its own township, so it cannot be in another county.
      errors.push({
        line: row.line,
        field: 'centre_school_code',
        reason: `${row.centre_school_code} is in county ${centreCounty}, this school in ${row.county_code}; a centre school oversees its own township`,
      });
    }
  }
  return { valid, errors: errors.sort(byLine) };
}

/** Validates the rows and, only if every row is good, upserts schools and classrooms by code in one transaction. */
export async function importSchools(
  store: Store,
  rows: RosterFileRow[],
  now: number,
  audit: AuditSource,
): Promise<ImportSummary> {
  return store.transaction(async (tx) => {
    const { schools, classrooms } = tx.t;
    const summary: ImportSummary = {
      created: 0,
      updated: 0,
      unchanged: 0,
      classroomsCreated: 0,
      errors: [],
      warnings: [],
    };
    const { valid, errors } = await validateRoster(tx, rows);
    if (errors.length > 0) return { ...summary, errors };

    const stored = new Map((await tx.q.select().from(schools)).map((s) => [s.code, s]));
    const roomCodes = new Map<string, Set<string>>();
    for (const room of await tx.q
      .select({ schoolCode: classrooms.schoolCode, code: classrooms.code })
      .from(classrooms)) {
      const codes = roomCodes.get(room.schoolCode) ?? new Set<string>();
      roomCodes.set(room.schoolCode, codes.add(room.code));
    }

    const newRooms: (typeof classrooms.$inferInsert)[] = [];
    const changed: string[] = [];
    for (const row of valid) {
      const existing = stored.get(row.code);
      const fields = schoolFields(row, existing);
      const rowChanged =
        !existing || (Object.keys(fields) as (keyof typeof fields)[]).some((k) => fields[k] !== existing[k]);

      const codes = roomCodes.get(row.code) ?? new Set<string>();
      const added = missingClassroomCodes(codes, row.classroom_count);
      for (const code of added) newRooms.push({ schoolCode: row.code, code, name: `${code}号教室` });
      if (codes.size > row.classroom_count) {
        summary.warnings.push({
          line: row.line,
          field: 'classroom_count',
          reason: `${row.code} has ${codes.size} classrooms registered and the file says ${row.classroom_count}; none were removed (they may carry devices and evidence), remove extras by hand`,
        });
      }

      if (!existing) {
        await tx.q.insert(schools).values({ code: row.code, ...fields, createdAt: now, updatedAt: now });
        summary.created++;
      } else if (rowChanged || added.length > 0) {
        await tx.q
          .update(schools)
          .set({ ...fields, updatedAt: now })
          .where(eq(schools.code, row.code));
        summary.updated++;
      } else {
        summary.unchanged++;
        continue;
      }
      const before = existing ? { ...registryFields(existing), classrooms: codes.size } : null;
      await recordAudit(
        tx,
        {
          ...audit,
          action: existing ? 'school.update' : 'school.create',
          entityType: 'school',
          entityId: row.code,
          countyCode: fields.countyCode,
          oldValue: before,
          newValue: { ...fields, classrooms: codes.size + added.length },
        },
        now,
      );
      changed.push(row.code);
    }
    // Batches: a statement per classroom is slow for a prefecture (~9,000), one for all nears SQLite's 32,766-variable cap.
    for (let i = 0; i < newRooms.length; i += 500) await tx.q.insert(classrooms).values(newRooms.slice(i, i + 500));
    summary.classroomsCreated = newRooms.length;
    await evaluateSchools(tx, changed, now);
    return summary;
  });
}

function registryFields(school: StoredSchool) {
  const { createdAt: _created, updatedAt: _updated, code: _code, ...fields } = school;
  return fields;
}

/*
 * The registry row a roster row asks for. An optional column the file does not have keeps the stored
 * value, so a roster without township never wipes townships a county officer typed in.
 */
function schoolFields(row: RosterRow, existing: StoredSchool | undefined) {
  return {
    name: row.name,
    countyCode: row.county_code,
    typeCode: row.type_code as string,
    urbanRuralCode: row.urban_rural_code as string,
    township: row.township === undefined ? (existing?.township ?? null) : row.township,
    classCount: row.class_count === undefined ? (existing?.classCount ?? null) : row.class_count,
    centreSchoolCode:
      row.centre_school_code === undefined ? (existing?.centreSchoolCode ?? null) : row.centre_school_code,
  };
}

/*
 * classroom_count is the number of ordinary classrooms (the denominator of 多媒体教室占普通教室比例), so the
 * registry is topped up to that many with the lowest unused numbers: 1…N for a new school, N+1… when it grows.
 */
function missingClassroomCodes(existing: Set<string>, count: number): string[] {
  const added: string[] = [];
  for (let n = 1; existing.size + added.length < count; n++) if (!existing.has(String(n))) added.push(String(n));
  return added;
}
