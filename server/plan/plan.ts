import fs from 'node:fs';
import { desc, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { planSchema, type Plan } from '../../shared/schemas/plan.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { countyRollups, divisions, plans, schools } from '../db/schema.ts';

import { PlanError } from './current.ts';

const defaultPlanFile = new URL('./linxia-2015-2020.json', import.meta.url);

/** Parses a plan file, returning every problem as `path: message` lines instead of throwing. */
export function parsePlanFile(file: string | URL): { plan?: Plan; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { errors: [`${String(file)}: not readable JSON (${(error as Error).message})`] };
  }
  const result = planSchema.safeParse(raw);
  if (result.success) return { plan: result.data, errors: [] };
  return { errors: result.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`) };
}

/**
 * Replaces the plan and brings the division tree in line with it: new counties are added, names
 * updated. A county that still has schools is never removed; the import fails and says so. Schools'
 * figures are not re-derived here (coverage sits above plan): programme/plan-import.ts does both.
 */
export function replacePlan(db: Db, plan: Plan, source: string, now: number, audit: AuditSource): void {
  inTransaction(db, () => {
    const existingPrefecture = db.select().from(divisions).where(eq(divisions.level, 'prefecture')).get();
    if (existingPrefecture && existingPrefecture.code !== plan.prefecture.code) {
      const registered = db
        .select({ n: sql<number>`count(*)` })
        .from(schools)
        .get()!.n;
      if (registered > 0) {
        throw new PlanError(
          `this database tracks prefecture ${existingPrefecture.code} (${existingPrefecture.name}) with ${registered} schools; ` +
            `a plan for ${plan.prefecture.code} needs its own data directory`,
        );
      }
      db.delete(divisions).where(eq(divisions.code, existingPrefecture.code)).run();
    }
    const planned = new Set(plan.counties.map((c) => c.code));
    const dropped = db
      .select({ code: divisions.code })
      .from(divisions)
      .where(eq(divisions.level, 'county'))
      .all()
      .filter((c) => !planned.has(c.code))
      .map((c) => c.code);
    if (dropped.length > 0) {
      const withSchools = db
        .select({ county: schools.countyCode, n: sql<number>`count(*)` })
        .from(schools)
        .where(inArray(schools.countyCode, dropped))
        .groupBy(schools.countyCode)
        .all();
      if (withSchools.length > 0) {
        const list = withSchools.map((c) => `${c.county} (${c.n} schools)`).join(', ');
        throw new PlanError(`the plan leaves out counties that still have schools: ${list}; move or keep them`);
      }
      db.delete(countyRollups).where(inArray(countyRollups.countyCode, dropped)).run();
      db.delete(divisions).where(inArray(divisions.code, dropped)).run();
    }
    const upsertDivision = (d: Plan['prefecture'], level: 'prefecture' | 'county', parentCode: string | null) =>
      db
        .insert(divisions)
        .values({ code: d.code, name: d.name, pinyin: d.pinyin ?? null, level, parentCode })
        .onConflictDoUpdate({
          target: divisions.code,
          set: { name: d.name, pinyin: d.pinyin ?? null, level, parentCode },
        })
        .run();
    upsertDivision(plan.prefecture, 'prefecture', null);
    for (const county of plan.counties) {
      upsertDivision(county, 'county', plan.prefecture.code);
      db.insert(countyRollups)
        .values({
          countyCode: county.code,
          schoolsRegistered: 0,
          schoolsConnected: 0,
          schoolsMeetingStandard: 0,
          classroomsRegistered: 0,
          classroomsEquipped: 0,
          devicesEnrolled: 0,
          devicesLive: 0,
          devicesAtRisk: 0,
          devicesSilent: 0,
          devicesNever: 0,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .run();
    }
    const previous = db.select({ document: plans.document }).from(plans).orderBy(desc(plans.id)).limit(1).get();
    db.insert(plans).values({ document: plan, importedAt: now, source }).run();
    recordAudit(
      db,
      {
        ...audit,
        action: 'plan.replace',
        entityType: 'plan',
        entityId: plan.prefecture.code,
        oldValue: previous?.document ?? null,
        newValue: plan,
      },
      now,
    );
  });
}

/** Loads the shipped Linxia plan and division tree into a database that has no plan yet. */
export function ensureReferenceData(db: Db, now: number): boolean {
  if (db.select({ id: plans.id }).from(plans).limit(1).get()) return false;
  const { plan, errors } = parsePlanFile(defaultPlanFile);
  if (!plan) throw new PlanError(`the shipped plan is invalid: ${errors.join('; ')}`);
  // No plan means no division tree, so no schools (schools.county_code references divisions): nothing
  // to re-derive, and the plan alone is written.
  replacePlan(db, plan, 'reference: linxia-2015-2020.json', now, {
    actor: 'system:first-start',
    reason: 'reference data loaded on first start',
  });
  return true;
}
