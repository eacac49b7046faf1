import { eq } from 'drizzle-orm';
import { targetCount } from '../plan/milestones.ts';
import type { TeacherSpaceFigures, TeacherSpaces } from '../../shared/schemas/teacher-spaces.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { teacherSpaces } from '../db/schema.ts';
import type { Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { readCached } from '../db/read-cache.ts';
import { currentPlan } from '../plan/current.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import { rollupOf } from '../coverage/read.ts';

/*
 * Teacher spaces (人人通) are declared, never measured: they come from the platform operator or the county
 * office. They live in their own table and every answer says `declared: true`, so no reader can take them
 * for evidence (the plan punishes falsified figures; DOMAIN.md).
 */

export type StoredTeacherSpaces = typeof teacherSpaces.$inferSelect;

/** A school's county, or 404: writes check the writer's scope against it before anything else. */
export async function schoolCountyOf(store: Store, schoolCode: string): Promise<string> {
  const { schools } = store.t;
  const [school] = await store.q
    .select({ countyCode: schools.countyCode })
    .from(schools)
    .where(eq(schools.code, schoolCode))
    .limit(1);
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
export async function writeTeacherSpaces(
  tx: Store,
  declarations: Iterable<TeacherSpaceDeclaration>,
  audit: AuditSource,
  now: number,
): Promise<string[]> {
  const changed: string[] = [];
  for (const { school, figures } of declarations)
    if (await writeOne(tx, school, figures, audit, now)) changed.push(school.code);
  if (changed.length > 0) await evaluateSchools(tx, changed, now);
  return changed;
}

/** One school's row and audit entry when its figures differ from the stored ones; false (nothing written) otherwise. */
async function writeOne(
  tx: Store,
  school: { code: string; countyCode: string },
  figures: TeacherSpaceFigures,
  audit: AuditSource,
  now: number,
): Promise<boolean> {
  const { teacherSpaces } = tx.t;
  const [stored] = await tx.q.select().from(teacherSpaces).where(eq(teacherSpaces.schoolCode, school.code)).limit(1);
  const before = figuresOf(stored);
  if (
    before &&
    before.teachers === figures.teachers &&
    before.spacesOpened === figures.spacesOpened &&
    before.spacesVerified === figures.spacesVerified
  )
    return false;
  const values = { ...figures, updatedAt: now, updatedBy: audit.actor };
  await tx.q
    .insert(teacherSpaces)
    .values({ schoolCode: school.code, ...values })
    .onConflictDoUpdate({ target: teacherSpaces.schoolCode, set: values });
  await recordAudit(
    tx,
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
export async function declareTeacherSpaces(
  store: Store,
  schoolCode: string,
  figures: TeacherSpaceFigures,
  audit: AuditSource,
  now: number,
): Promise<{ row: StoredTeacherSpaces; changed: boolean }> {
  return store.transaction(async (tx) => {
    const countyCode = await schoolCountyOf(tx, schoolCode);
    const changed = await writeTeacherSpaces(tx, [{ school: { code: schoolCode, countyCode }, figures }], audit, now);
    const { teacherSpaces } = tx.t;
    const [row] = await tx.q.select().from(teacherSpaces).where(eq(teacherSpaces.schoolCode, schoolCode)).limit(1);
    return { row: row!, changed: changed.length > 0 };
  });
}

/** Declared teacher spaces of a division (null: the root) and of every county-level division under it, from the rollups. */
export async function readTeacherSpaces(store: Store, divisionScope: string | null): Promise<TeacherSpaces> {
  return readCached(store, `teacher-spaces:${divisionScope ?? 'all'}`, async () => {
    const tree = await deploymentTree(store);
    return teacherSpacesOf(store, divisionScope, tree.counties(divisionScope ?? tree.root.code));
  });
}

/**
 * Declared teacher spaces of a division (null: the root) against the plan's target and milestones (target null
 * below the root under an absolute plan), with the given county rows: one rollup row each, no school read.
 */
export async function teacherSpacesOf(
  store: Store,
  divisionScope: string | null,
  counties: readonly { code: string; name: string; pinyin: string | null }[],
): Promise<TeacherSpaces> {
  const indicator = (await currentPlan(store)).indicators.teacherSpaces;
  const totals = spacesOf(await rollupOf(store, divisionScope ?? (await deploymentTree(store)).root.code));
  const whole = divisionScope === null;
  const countyRows = [];
  for (const county of counties)
    countyRows.push({
      code: county.code,
      name: county.name,
      pinyin: county.pinyin,
      ...spacesOf(await rollupOf(store, county.code)),
    });
  return {
    target: whole || indicator.share !== undefined ? targetCount(indicator, totals.teachers) : null,
    milestones: whole ? indicator.milestones.map((m) => ({ year: m.year, cumulative: m.cumulative })) : [],
    ...totals,
    declared: true,
    counties: countyRows,
  };
}

const spacesOf = (r: Awaited<ReturnType<typeof rollupOf>>) => ({
  teachers: r.teachers,
  opened: r.teacherSpacesOpened,
  verified: r.teacherSpacesVerified,
  schoolsDeclared: r.schoolsDeclaringTeacherSpaces,
});
