import { asc, eq, sql } from 'drizzle-orm';
import { targetCount } from '../plan/milestones.ts';
import type { TeacherSpaceFigures, TeacherSpaces } from '../../shared/schemas/teacher-spaces.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { divisions, schools, teacherSpaces } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { readCached } from '../db/read-cache.ts';
import { currentPlan } from '../plan/current.ts';
import { divisionContains } from '../divisions/containment.ts';

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

/**
 * Stores one school's declared figures and its audit entry when they differ from the stored ones.
 * Runs inside the caller's transaction; returns false (and writes nothing) when nothing changed.
 */
export function writeTeacherSpaces(
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
    const changed = writeTeacherSpaces(db, { code: schoolCode, countyCode }, figures, audit, now);
    const row = db.select().from(teacherSpaces).where(eq(teacherSpaces.schoolCode, schoolCode)).get()!;
    return { row, changed };
  });
}

/** Declared teacher spaces per county and in total, against the plan's target and milestones (target null for one county). */
export function readTeacherSpaces(db: Db, countyScope: string | null): TeacherSpaces {
  return readCached(db, `teacher-spaces:${countyScope ?? 'all'}`, () => sumTeacherSpaces(db, countyScope));
}

function sumTeacherSpaces(db: Db, countyScope: string | null): TeacherSpaces {
  const plan = currentPlan(db);
  const sums = db
    .select({
      countyCode: schools.countyCode,
      teachers: sql<number>`sum(${teacherSpaces.teachers})`,
      opened: sql<number>`sum(${teacherSpaces.spacesOpened})`,
      verified: sql<number>`sum(${teacherSpaces.spacesVerified})`,
      schoolsDeclared: sql<number>`count(*)`,
    })
    .from(teacherSpaces)
    .innerJoin(schools, eq(schools.code, teacherSpaces.schoolCode))
    .groupBy(schools.countyCode)
    .all();
  const byCounty = new Map(sums.map((s) => [s.countyCode, s]));
  const counties = db
    .select({ code: divisions.code, name: divisions.name, pinyin: divisions.pinyin })
    .from(divisions)
    .where(eq(divisions.level, 'county'))
    .orderBy(asc(divisions.code))
    .all()
    .filter((d) => countyScope === null || divisionContains(countyScope, d.code))
    .map((d) => {
      const s = byCounty.get(d.code);
      return {
        code: d.code,
        name: d.name,
        pinyin: d.pinyin,
        teachers: s?.teachers ?? 0,
        opened: s?.opened ?? 0,
        verified: s?.verified ?? 0,
        schoolsDeclared: s?.schoolsDeclared ?? 0,
      };
    });
  const total = (key: 'teachers' | 'opened' | 'verified' | 'schoolsDeclared') =>
    counties.reduce((n, c) => n + c[key], 0);
  const indicator = plan.indicators.teacherSpaces;
  const whole = countyScope === null;
  return {
    target: whole || indicator.share !== undefined ? targetCount(indicator, total('teachers')) : null,
    milestones: whole ? indicator.milestones.map((m) => ({ year: m.year, cumulative: m.cumulative })) : [],
    teachers: total('teachers'),
    opened: total('opened'),
    verified: total('verified'),
    schoolsDeclared: total('schoolsDeclared'),
    declared: true,
    counties,
  };
}
