import type { Declaration } from '../../shared/schemas/declarations.ts';
import type { SchoolDetail } from '../../shared/schemas/coverage.ts';
import type { Inspection } from '../../shared/schemas/inspections.ts';
import type { Store } from '../db/store.ts';
import { readSchool } from '../coverage/read.ts';
import { listDeclarations } from './declarations.ts';
import { readInspection } from './inspections.ts';
import { divisionContains } from '../divisions/containment.ts';

/** An inspection as a reader confined to a county (null: the prefecture) may see it: that county's schools only. */
export function inspectionInScope(inspection: Inspection, countyScope: string | null): Inspection {
  return {
    ...inspection,
    schools: inspection.schools.filter((s) => countyScope === null || divisionContains(countyScope, s.countyCode)),
  };
}

export interface Checklist {
  inspection: Inspection;
  schools: { stratum: string; detail: SchoolDetail; declarations: Declaration[] }[];
}

/** What the inspectors' printed checklist shows for each school in scope: the school as of `now` and its declarations. */
export async function readChecklist(
  store: Store,
  id: number,
  countyScope: string | null,
  now: number,
): Promise<Checklist> {
  const inspection = await readInspection(store, id);
  const schools: Checklist['schools'] = [];
  for (const s of inspectionInScope(inspection, countyScope).schools)
    schools.push({
      stratum: s.stratum,
      detail: await readSchool(store, s.schoolCode, now),
      declarations: await listDeclarations(store, { countyScope: null, status: 'all', schoolCode: s.schoolCode }, now),
    });
  return { inspection, schools };
}
