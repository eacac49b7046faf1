import { desc, eq, sql } from 'drizzle-orm';
import type { Store } from '../db/store.ts';
import { inDivision } from '../divisions/containment.ts';

/** Every inspection drawn, newest first, with how many of its schools (in the county, when confined to one) have findings. */
export async function listInspections(store: Store, countyScope: string | null) {
  const { inspections, inspectionSchools, schools } = store.t;
  // `1 = 1`, not `1`: PostgreSQL's `case when` takes a boolean. Sums are numbers there only when mapped so.
  const inScope = inDivision(schools.countyCode, countyScope) ?? sql`1 = 1`;
  return store.q
    .select({
      id: inspections.id,
      seed: inspections.seed,
      perCounty: inspections.perCounty,
      drawnAt: inspections.drawnAt,
      drawnBy: inspections.drawnBy,
      schools: sql<number>`coalesce(sum(case when ${inScope} then 1 else 0 end), 0)`.mapWith(Number),
      recorded:
        sql<number>`coalesce(sum(case when ${inScope} and ${inspectionSchools.recordedAt} is not null then 1 else 0 end), 0)`.mapWith(
          Number,
        ),
    })
    .from(inspections)
    .leftJoin(inspectionSchools, eq(inspectionSchools.inspectionId, inspections.id))
    .leftJoin(schools, eq(schools.code, inspectionSchools.schoolCode))
    .groupBy(inspections.id)
    .orderBy(desc(inspections.id));
}
