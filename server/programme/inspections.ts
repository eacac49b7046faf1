import { createHash } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Inspection } from '../../shared/schemas/inspections.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { divisionContains } from '../divisions/containment.ts';
import { sweepBeforeRead } from '../coverage/evaluate.ts';

/*
 * Spot checks (检查验收). The draw is stratified by county and weighted towards statuses a person typed
 * in: a declaration contradicted by evidence is checked first, a declared-only status next. It is
 * reproducible: the same seed over the same registry draws the same schools, so anyone can re-run it.
 */
const weights = { conflict: 8, 'declared-only': 4, unconnected: 2, measured: 1 } as const;
type Stratum = keyof typeof weights;
const ROWS_PER_INSERT = 500;

/** A uniform number in (0, 1) for each (seed, school): a hash, so the draw needs no shared PRNG state. */
function uniform(seed: string, schoolCode: string): number {
  const digest = createHash('sha256').update(`${seed}\u0000${schoolCode}`).digest();
  return (digest.readUIntBE(0, 6) + 1) / (2 ** 48 + 2);
}

/** Draws `perCounty` schools per county (weighted sampling without replacement) and records the inspection. */
export async function drawInspection(
  store: Store,
  input: { perCounty: number; seed: string },
  now: number,
  audit: AuditSource,
): Promise<Inspection> {
  // The draw weights by current status, so statuses are brought up to `now` first.
  await sweepBeforeRead(store, now);
  return store.transaction(async (tx) => {
    const { inspections, inspectionSchools, schools, schoolStatus } = tx.t;
    const candidates = await tx.q
      .select({
        code: schools.code,
        countyCode: schools.countyCode,
        connected: schoolStatus.connected,
        declared: schoolStatus.declaredConnected,
        conflict: schoolStatus.declarationConflict,
        declaredRooms: schoolStatus.classroomsDeclaredEquipped,
      })
      .from(schools)
      .innerJoin(schoolStatus, eq(schoolStatus.schoolCode, schools.code))
      .orderBy(asc(schools.code));
    const byCounty = new Map<string, { code: string; stratum: Stratum; key: number }[]>();
    for (const s of candidates) {
      const stratum: Stratum = s.conflict
        ? 'conflict'
        : s.declared || s.declaredRooms > 0
          ? 'declared-only'
          : s.connected
            ? 'measured'
            : 'unconnected';
      // Efraimidis–Spirakis: the largest u^(1/w) keys are a weighted sample without replacement.
      const key = uniform(input.seed, s.code) ** (1 / weights[stratum]);
      const county = byCounty.get(s.countyCode);
      if (county) county.push({ code: s.code, stratum, key });
      else byCounty.set(s.countyCode, [{ code: s.code, stratum, key }]);
    }
    const [inserted] = await tx.q
      .insert(inspections)
      .values({ seed: input.seed, perCounty: input.perCounty, drawnAt: now, drawnBy: audit.actor })
      .returning({ id: inspections.id });
    const id = inserted!.id;
    const drawn = [...byCounty.keys()].sort().flatMap((county) =>
      byCounty
        .get(county)!
        .sort((a, b) => b.key - a.key)
        .slice(0, input.perCounty)
        .map((school) => ({ inspectionId: id, schoolCode: school.code, stratum: school.stratum })),
    );
    // A country's draw is thousands of schools: inserted in chunks, under either dialect's limit on parameters.
    for (let i = 0; i < drawn.length; i += ROWS_PER_INSERT)
      await tx.q.insert(inspectionSchools).values(drawn.slice(i, i + ROWS_PER_INSERT));
    await recordAudit(
      tx,
      { ...audit, action: 'inspection.draw', entityType: 'inspection', entityId: String(id), newValue: input },
      now,
    );
    return readInspection(tx, id);
  });
}

/** Records an inspector's finding for one school of an inspection. */
export async function recordInspectionResult(
  store: Store,
  id: number,
  finding: { schoolCode: string; result: 'confirmed' | 'discrepancy'; note: string },
  now: number,
  audit: AuditSource,
  countyScope: string | null,
): Promise<Inspection> {
  return store.transaction(async (tx) => {
    const { inspectionSchools, schools } = tx.t;
    const [row] = await tx.q
      .select({ entry: inspectionSchools, countyCode: schools.countyCode })
      .from(inspectionSchools)
      .innerJoin(schools, eq(schools.code, inspectionSchools.schoolCode))
      .where(and(eq(inspectionSchools.inspectionId, id), eq(inspectionSchools.schoolCode, finding.schoolCode)))
      .limit(1);
    if (!row)
      throw new DomainError(
        'not-found',
        'not_in_inspection',
        `school ${finding.schoolCode} is not in inspection ${id}`,
        undefined,
        { params: { school: finding.schoolCode, id } },
      );
    if (countyScope !== null && !divisionContains(countyScope, row.countyCode))
      throw new DomainError(
        'forbidden',
        'out_of_scope',
        `school ${finding.schoolCode} is not in division ${countyScope}`,
      );
    const note = finding.note || null;
    await tx.q
      .update(inspectionSchools)
      .set({ result: finding.result, note, recordedAt: now, recordedBy: audit.actor })
      .where(and(eq(inspectionSchools.inspectionId, id), eq(inspectionSchools.schoolCode, finding.schoolCode)));
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'inspection.result',
        entityType: 'school',
        entityId: finding.schoolCode,
        countyCode: row.countyCode,
        oldValue: { inspection: id, result: row.entry.result, note: row.entry.note },
        newValue: { inspection: id, result: finding.result, note },
      },
      now,
    );
    return readInspection(tx, id);
  });
}

/** An inspection with its schools and findings so far, or 404. */
export async function readInspection(store: Store, id: number): Promise<Inspection> {
  const { inspections, inspectionSchools, schools } = store.t;
  const [inspection] = await store.q.select().from(inspections).where(eq(inspections.id, id)).limit(1);
  if (!inspection)
    throw new DomainError('not-found', 'inspection_unknown', `no inspection ${id}`, undefined, { params: { id } });
  const rows = await store.q
    .select({ entry: inspectionSchools, name: schools.name, countyCode: schools.countyCode })
    .from(inspectionSchools)
    .innerJoin(schools, eq(schools.code, inspectionSchools.schoolCode))
    .where(eq(inspectionSchools.inspectionId, id))
    .orderBy(asc(schools.countyCode), asc(schools.code));
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id,
    seed: inspection.seed,
    perCounty: inspection.perCounty,
    drawnAt: iso(inspection.drawnAt)!,
    drawnBy: inspection.drawnBy,
    schools: rows.map((r) => ({
      schoolCode: r.entry.schoolCode,
      name: r.name,
      countyCode: r.countyCode,
      stratum: r.entry.stratum as Stratum,
      result: r.entry.result,
      note: r.entry.note,
      recordedAt: iso(r.entry.recordedAt),
      recordedBy: r.entry.recordedBy,
    })),
  };
}
