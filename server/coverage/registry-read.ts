import { and, asc, desc, eq, isNotNull, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { enrollmentTokens, schools } from '../db/schema.ts';
import type { DeviceScope } from './devices-read.ts';
import { inDivision } from '../divisions/containment.ts';

/** Registry reads for the dashboard's filters and forms. */

/** The townships of a county's schools, for the county page's filter. */
export function readCountyTownships(db: Db, countyCode: string): string[] {
  return db
    .selectDistinct({ township: schools.township })
    .from(schools)
    .where(and(eq(schools.countyCode, countyCode), isNotNull(schools.township)))
    .orderBy(asc(schools.township))
    .all()
    .map((r) => r.township!);
}

function schoolScope(scope: DeviceScope): SQL | undefined {
  if (scope.schoolCode !== null) return eq(schools.code, scope.schoolCode);
  return inDivision(schools.countyCode, scope.divisionCode);
}

/** Code and name of every school in scope, for the enrollment form's school list. */
export function readSchoolChoices(db: Db, scope: DeviceScope) {
  return db
    .select({ code: schools.code, name: schools.name, countyCode: schools.countyCode })
    .from(schools)
    .where(schoolScope(scope))
    .orderBy(asc(schools.code))
    .all();
}

/** The school with this code (code, name, county), or null. */
export function findSchool(db: Db, code: string) {
  return (
    db
      .select({ code: schools.code, name: schools.name, countyCode: schools.countyCode })
      .from(schools)
      .where(eq(schools.code, code))
      .get() ?? null
  );
}

/** The most recent enrollment tokens in scope, without their secrets. */
export function readRecentEnrollmentTokens(db: Db, scope: DeviceScope, limit = 50) {
  return db
    .select({
      id: enrollmentTokens.id,
      school: { code: schools.code, name: schools.name },
      createdAt: enrollmentTokens.createdAt,
      createdBy: enrollmentTokens.createdBy,
      expiresAt: enrollmentTokens.expiresAt,
      maxUses: enrollmentTokens.maxUses,
      uses: enrollmentTokens.uses,
      revokedAt: enrollmentTokens.revokedAt,
    })
    .from(enrollmentTokens)
    .innerJoin(schools, eq(schools.code, enrollmentTokens.schoolCode))
    .where(schoolScope(scope))
    .orderBy(desc(enrollmentTokens.id))
    .limit(limit)
    .all();
}

/** The school (and county) an enrollment token is for, or null: scope checks before revoking it. */
export function findEnrollmentTokenSchool(db: Db, id: number) {
  return (
    db
      .select({ code: schools.code, countyCode: schools.countyCode })
      .from(enrollmentTokens)
      .innerJoin(schools, eq(schools.code, enrollmentTokens.schoolCode))
      .where(eq(enrollmentTokens.id, id))
      .get() ?? null
  );
}
