import { eq } from 'drizzle-orm';
import { targetCount } from '../plan/milestones.ts';
import type { TeacherSpaceFigures, TeacherSpaces } from '../../shared/schemas/teacher-spaces.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { schools, teacherSpaces } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { readCachedOnConnection } from '../db/read-cache-connection.ts';
import { currentPlanOnConnection } from '../plan/current-connection.ts';
import { deploymentTreeOnConnection } from '../divisions/deployment-on-connection.ts';
import { evaluateSchoolsOnConnection } from '../coverage/evaluate-on-connection.ts';
import { rollupOf } from '../coverage/read.ts';

/*
 * Teacher spaces (人人通) are declared, never measured: they come from the platform operator or the county
 * office. They live in their own table and every answer says `declared: true`, so no reader can take them
 * for evidence (the plan punishes falsified figures; DOMAIN.md).
 */

export type StoredTeacherSpaces = typeof teacherSpaces.$inferSelect;

/** A school's county, or 404: writes check the writer's scope against it before anything else. */
export function schoolCountyOf(db: Db, schoolCode: string): string {
  const school = db.select({ countyCode: schools.countyCode }).from(schools).where(eq(schools.code, schoolCode)).get();
  if (!school)
    throw new DomainError(
      'not-found',
      'school_unknown',
      `no school with code ${schoolCode}; add it with santong import-schools first`,
    );
  return school.countyCode;
}

const figuresOf = (row: StoredTeacherSpaces | undefined): TeacherSpaceFigures | null =>
  row ? { teachers: row.teachers, spacesOpened: row.spacesOpened, spacesVerified: row.spacesVerified } : null;

/** One school's declared figures, as a writer gives them. */
export interface TeacherSpaceDeclaration {
  school: { code: string; countyCode: string };
  figures: TeacherSpaceFigures;
}

/**
 * Stores schools' declared figures, with an audit entry for each that differs from the stored one, then
 * re-evaluates the schools that changed: their status rows carry the figures and the rollups of every level
 * above them sum them (decision 164). Runs inside the caller's transaction; returns the schools that changed.
 */
export function writeTeacherSpaces(
  db: Db,
  declarations: Iterable<TeacherSpaceDeclaration>,
  audit: AuditSource,
  now: number,
): string[] {
  const changed: string[] = [];
  for (const { school, figures } of declarations)
    if (writeOne(db, school, figures, audit, now)) changed.push(school.code);
  if (changed.length > 0) evaluateSchoolsOnConnection(db, changed, now);
  return changed;
}

/** One school's row and audit entry when its figures differ from the stored ones; false (nothing written) otherwise. */
function writeOne(
  db: Db,
  school: { code: string; countyCode: string },
  figures: TeacherSpaceFigures,
  audit: AuditSource,
  now: number,
): boolean {
  const stored = db.select().from(teacherSpaces).where(eq(teacherSpaces.schoolCode, school.code)).get();
  const before = figuresOf(stored);
  if (
    before &&
    before.teachers === figures.teachers &&
    before.spacesOpened === figures.spacesOpened &&
    before.spacesVerified === figures.spacesVerified
  )
    return false;
  const values = { ...figures, updatedAt: now, updatedBy: audit.actor };
  db.insert(teacherSpaces)
    .values({ schoolCode: school.code, ...values })
    .onConflictDoUpdate({ target: teacherSpaces.schoolCode, set: values })
    .run();
  recordAudit(
    db,
    {
      ...audit,
      action: 'teacher-spaces.declare',
      entityType: 'school',
      entityId: school.code,
      countyCode: school.countyCode,
      oldValue: before,
      newValue: figures,
    },
    now,
  );
  return true;
}

/** Declares one school's teacher spaces (the API's PUT): validated figures in, the stored row and whether it changed out. */
export function declareTeacherSpaces(
  db: Db,
  schoolCode: string,
  figures: TeacherSpaceFigures,
  audit: AuditSource,
  now: number,
) {
  return inTransaction(db, () => {
    const countyCode = schoolCountyOf(db, schoolCode);
    const changed = writeTeacherSpaces(db, [{ school: { code: schoolCode, countyCode }, figures }], audit, now);
    const row = db.select().from(teacherSpaces).where(eq(teacherSpaces.schoolCode, schoolCode)).get()!;
    return { row, changed: changed.length > 0 };
  });
}

/** Declared teacher spaces of a division (null: the root) and of every county-level division under it, from the rollups. */
export function readTeacherSpaces(db: Db, divisionScope: string | null): TeacherSpaces {
  return readCachedOnConnection(db, `teacher-spaces:${divisionScope ?? 'all'}`, () => {
    const tree = deploymentTreeOnConnection(db);
    return teacherSpacesOf(db, divisionScope, tree.counties(divisionScope ?? tree.root.code));
  });
}

/**
 * Declared teacher spaces of a division (null: the root) against the plan's target and milestones (target null
 * below the root under an absolute plan), with the given county rows: one rollup row each, no school read.
 */
export function teacherSpacesOf(
  db: Db,
  divisionScope: string | null,
  counties: readonly { code: string; name: string; pinyin: string | null }[],
): TeacherSpaces {
  const indicator = currentPlanOnConnection(db).indicators.teacherSpaces;
  const totals = spacesOf(rollupOf(db, divisionScope ?? deploymentTreeOnConnection(db).root.code));
  const whole = divisionScope === null;
  return {
    target: whole || indicator.share !== undefined ? targetCount(indicator, totals.teachers) : null,
    milestones: whole ? indicator.milestones.map((m) => ({ year: m.year, cumulative: m.cumulative })) : [],
    ...totals,
    declared: true,
    counties: counties.map((county) => ({
      code: county.code,
      name: county.name,
      pinyin: county.pinyin,
      ...spacesOf(rollupOf(db, county.code)),
    })),
  };
}

const spacesOf = (r: ReturnType<typeof rollupOf>) => ({
  teachers: r.teachers,
  opened: r.teacherSpacesOpened,
  verified: r.teacherSpacesVerified,
  schoolsDeclared: r.schoolsDeclaringTeacherSpaces,
});
