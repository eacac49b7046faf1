import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inspections, inspectionSchools, schools } from '../db/schema.ts';
import { inDivision } from '../divisions/containment.ts';

/** Every inspection drawn, newest first, with how many of its schools (in the county, when confined to one) have findings. */
export function listInspections(db: Db, countyScope: string | null) {
  const inScope = inDivision(schools.countyCode, countyScope) ?? sql`1`;
  return db
    .select({
      id: inspections.id,
      seed: inspections.seed,
      perCounty: inspections.perCounty,
      drawnAt: inspections.drawnAt,
      drawnBy: inspections.drawnBy,
      schools: sql<number>`coalesce(sum(case when ${inScope} then 1 else 0 end), 0)`,
      recorded: sql<number>`coalesce(sum(case when ${inScope} and ${inspectionSchools.recordedAt} is not null then 1 else 0 end), 0)`,
    })
    .from(inspections)
    .leftJoin(inspectionSchools, eq(inspectionSchools.inspectionId, inspections.id))
    .leftJoin(schools, eq(schools.code, inspectionSchools.schoolCode))
    .groupBy(inspections.id)
    .orderBy(desc(inspections.id))
    .all();
}
