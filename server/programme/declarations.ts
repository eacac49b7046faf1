import { and, desc, eq, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { Declaration, DeclarationRequest } from '../../shared/schemas/declarations.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { divisionContains, inDivision } from '../divisions/containment.ts';
import { evaluateSchools, sweepBeforeRead } from '../coverage/evaluate.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Records a declared status (connected school, equipped classroom) that no agent can show yet. It is
 * counted apart from measurements everywhere; a measurement later showing the same makes it moot.
 */
export async function declareStatus(
  store: Store,
  request: DeclarationRequest,
  now: number,
  audit: AuditSource,
  countyScope: string | null,
): Promise<Declaration> {
  return store.transaction(async (tx) => {
    const { classrooms, declarations, schools } = tx.t;
    const [school] = await tx.q.select().from(schools).where(eq(schools.code, request.schoolCode)).limit(1);
    if (!school)
      throw new DomainError('not-found', 'school_unknown', `no school with code ${request.schoolCode}`, undefined, {
        params: { school: request.schoolCode },
      });
    if (countyScope !== null && !divisionContains(countyScope, school.countyCode)) {
      throw new DomainError('forbidden', 'out_of_scope', `school ${school.code} is not in division ${countyScope}`);
    }
    let classroomId: number | null = null;
    if (request.classroomCode) {
      const [room] = await tx.q
        .select()
        .from(classrooms)
        .where(and(eq(classrooms.schoolCode, school.code), eq(classrooms.code, request.classroomCode)))
        .limit(1);
      if (!room)
        throw new DomainError(
          'invalid',
          'classroom_unknown',
          `no classroom ${request.classroomCode} at school ${school.code}`,
          [{ path: 'classroomCode', message: 'no such classroom at this school' }],
          { params: { classroom: request.classroomCode, school: school.code } },
        );
      classroomId = room.id;
    }
    const active = and(
      eq(declarations.schoolCode, school.code),
      eq(declarations.indicator, request.indicator),
      isNull(declarations.withdrawnAt),
      classroomId === null ? isNull(declarations.classroomId) : eq(declarations.classroomId, classroomId),
    );
    const [existing] = await tx.q.select({ id: declarations.id }).from(declarations).where(active).limit(1);
    if (existing)
      throw new DomainError(
        'conflict',
        'already_declared',
        `this status is already declared (declaration ${existing.id}); withdraw it first to declare again`,
        undefined,
        { params: { id: existing.id } },
      );
    const [inserted] = await tx.q
      .insert(declarations)
      .values({
        schoolCode: school.code,
        classroomId,
        indicator: request.indicator,
        declaredAt: now,
        declaredBy: audit.actor,
        reason: audit.reason,
      })
      .returning({ id: declarations.id });
    const id = inserted!.id;
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'declaration.create',
        entityType: 'declaration',
        entityId: String(id),
        countyCode: school.countyCode,
        newValue: {
          schoolCode: school.code,
          indicator: request.indicator,
          classroomCode: request.classroomCode ?? null,
        },
      },
      now,
    );
    await evaluateSchools(tx, [school.code], now);
    return readDeclaration(tx, id);
  });
}

/** Withdraws a declaration (it stays on record); the school's figures drop it at once. */
export async function withdrawDeclaration(
  store: Store,
  id: number,
  now: number,
  audit: AuditSource,
  countyScope: string | null,
): Promise<Declaration> {
  return store.transaction(async (tx) => {
    const declaration = await readDeclaration(tx, id);
    if (countyScope !== null && !divisionContains(countyScope, declaration.countyCode))
      throw new DomainError('forbidden', 'out_of_scope', `declaration ${id} is not in division ${countyScope}`);
    if (declaration.withdrawnAt !== null)
      throw new DomainError(
        'conflict',
        'already_withdrawn',
        `declaration ${id} was withdrawn at ${declaration.withdrawnAt}`,
        undefined,
        { params: { id } },
      );
    const { declarations } = tx.t;
    await tx.q.update(declarations).set({ withdrawnAt: now, withdrawnBy: audit.actor }).where(eq(declarations.id, id));
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'declaration.withdraw',
        entityType: 'declaration',
        entityId: String(id),
        countyCode: declaration.countyCode,
        oldValue: { withdrawnAt: null },
        newValue: { withdrawnAt: iso(now) },
      },
      now,
    );
    await evaluateSchools(tx, [declaration.schoolCode], now);
    return readDeclaration(tx, id);
  });
}

/** Declarations in scope, newest first, with whether a measurement agrees as of `now` and whether evidence contradicts them. */
export async function listDeclarations(
  store: Store,
  filter: {
    countyScope: string | null;
    status: 'active' | 'withdrawn' | 'all';
    conflict?: boolean | undefined;
    schoolCode?: string;
  },
  now: number,
): Promise<Declaration[]> {
  // Agreement and conflict come from the derived school status, which the passage of time changes.
  await sweepBeforeRead(store, now);
  const { declarations, schools } = store.t;
  const where: (SQL | undefined)[] = [];
  if (filter.schoolCode !== undefined) where.push(eq(declarations.schoolCode, filter.schoolCode));
  const inScope = inDivision(schools.countyCode, filter.countyScope);
  if (inScope) where.push(inScope);
  if (filter.status === 'active') where.push(isNull(declarations.withdrawnAt));
  if (filter.status === 'withdrawn') where.push(isNotNull(declarations.withdrawnAt));
  const rows = (
    await selectDeclarations(store)
      .where(and(...where))
      .orderBy(desc(declarations.id))
  ).map(toDeclaration);
  return filter.conflict === undefined ? rows : rows.filter((d) => d.conflict === filter.conflict);
}

function selectDeclarations(store: Store) {
  const { classrooms, classroomStatus, declarations, schools, schoolStatus } = store.t;
  return store.q
    .select({
      d: declarations,
      countyCode: schools.countyCode,
      classroomCode: classrooms.code,
      schoolConnected: schoolStatus.connected,
      conflict: schoolStatus.declarationConflict,
      classroomEquipped: classroomStatus.equipped,
    })
    .from(declarations)
    .innerJoin(schools, eq(schools.code, declarations.schoolCode))
    .leftJoin(schoolStatus, eq(schoolStatus.schoolCode, declarations.schoolCode))
    .leftJoin(classrooms, eq(classrooms.id, declarations.classroomId))
    .leftJoin(classroomStatus, eq(classroomStatus.classroomId, declarations.classroomId));
}

type Row = Awaited<ReturnType<typeof selectDeclarations>>[number];
function toDeclaration(r: Row): Declaration {
  const active = r.d.withdrawnAt === null;
  return {
    id: r.d.id,
    schoolCode: r.d.schoolCode,
    countyCode: r.countyCode,
    indicator: r.d.indicator,
    classroomCode: r.classroomCode,
    declaredAt: iso(r.d.declaredAt)!,
    declaredBy: r.d.declaredBy,
    reason: r.d.reason,
    withdrawnAt: iso(r.d.withdrawnAt),
    withdrawnBy: r.d.withdrawnBy,
    measured: r.d.indicator === 'connected' ? Boolean(r.schoolConnected) : Boolean(r.classroomEquipped),
    conflict: active && r.d.indicator === 'connected' && Boolean(r.conflict),
  };
}

async function readDeclaration(store: Store, id: number): Promise<Declaration> {
  const { declarations } = store.t;
  const [row] = await selectDeclarations(store).where(eq(declarations.id, id)).limit(1);
  if (!row)
    throw new DomainError('not-found', 'declaration_unknown', `no declaration ${id}`, undefined, { params: { id } });
  return toDeclaration(row);
}
