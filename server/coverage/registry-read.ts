import { and, asc, desc, eq, isNotNull, type SQL } from 'drizzle-orm';
import type { Store, Tables } from '../db/store.ts';
import type { DeviceScope } from './devices-read.ts';
import { inDivision } from '../divisions/containment.ts';

/** Registry reads for the dashboard's filters and forms. */

/** The townships of a county's schools, for the county page's filter. */
export async function readCountyTownships(store: Store, countyCode: string): Promise<string[]> {
  const { schools } = store.t;
  const rows = await store.q
    .selectDistinct({ township: schools.township })
    .from(schools)
    .where(and(eq(schools.countyCode, countyCode), isNotNull(schools.township)))
    .orderBy(asc(schools.township));
  return rows.map((r) => r.township!);
}

function schoolScope(schools: Tables['schools'], scope: DeviceScope): SQL | undefined {
  if (scope.schoolCode !== null) return eq(schools.code, scope.schoolCode);
  return inDivision(schools.countyCode, scope.divisionCode);
}

/** Code and name of every school in scope, for the enrollment form's school list. */
export async function readSchoolChoices(store: Store, scope: DeviceScope) {
  const { schools } = store.t;
  return store.q
    .select({ code: schools.code, name: schools.name, countyCode: schools.countyCode })
    .from(schools)
    .where(schoolScope(schools, scope))
    .orderBy(asc(schools.code));
}

/** The school with this code (code, name, county), or null. */
export async function findSchool(store: Store, code: string) {
  const { schools } = store.t;
  const [found] = await store.q
    .select({ code: schools.code, name: schools.name, countyCode: schools.countyCode })
    .from(schools)
    .where(eq(schools.code, code))
    .limit(1);
  return found ?? null;
}

/** The most recent enrollment tokens in scope, without their secrets. */
export async function readRecentEnrollmentTokens(store: Store, scope: DeviceScope, limit = 50) {
  const { enrollmentTokens, schools } = store.t;
  return store.q
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
    .where(schoolScope(schools, scope))
    .orderBy(desc(enrollmentTokens.id))
    .limit(limit);
}

/** The school (and county) an enrollment token is for, or null: scope checks before revoking it. */
export async function findEnrollmentTokenSchool(store: Store, id: number) {
  const { enrollmentTokens, schools } = store.t;
  const [found] = await store.q
    .select({ code: schools.code, countyCode: schools.countyCode })
    .from(enrollmentTokens)
    .innerJoin(schools, eq(schools.code, enrollmentTokens.schoolCode))
    .where(eq(enrollmentTokens.id, id))
    .limit(1);
  return found ?? null;
}
