import { and, desc, eq, isNotNull, isNull, type SQL } from 'drizzle-orm';
import type { Declaration, DeclarationRequest } from '../../shared/schemas/declarations.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { evaluateSchoolsOnConnection, sweepBeforeReadOnConnection } from '../coverage/evaluate-on-connection.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { classrooms, classroomStatus, declarations, schools, schoolStatus } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { divisionContains, inDivision } from '../divisions/containment.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Records a declared status (connected school, equipped classroom) that no agent can show yet. It is
 * counted apart from measurements everywhere; a measurement later showing the same makes it moot.
 */
export function declareStatus(
  db: Db,
  request: DeclarationRequest,
  now: number,
  audit: AuditSource,
  countyScope: string | null,
): Declaration {
  return inTransaction(db, () => {
    const school = db.select().from(schools).where(eq(schools.code, request.schoolCode)).get();
    if (!school)
      throw new DomainError('not-found', 'school_unknown', `no school with code ${request.schoolCode}`, undefined, {
        params: { school: request.schoolCode },
      });
    if (countyScope !== null && !divisionContains(countyScope, school.countyCode)) {
      throw new DomainError('forbidden', 'out_of_scope', `school ${school.code} is not in division ${countyScope}`);
    }
    let classroomId: number | null = null;
    if (request.classroomCode) {
      const room = db
        .select()
        .from(classrooms)
        .where(and(eq(classrooms.schoolCode, school.code), eq(classrooms.code, request.classroomCode)))
        .get();
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
    const existing = db.select({ id: declarations.id }).from(declarations).where(active).get();
    if (existing)
      throw new DomainError(
        'conflict',
        'already_declared',
        `this status is already declared (declaration ${existing.id}); withdraw it first to declare again`,
        undefined,
        { params: { id: existing.id } },
      );
    const { id } = db
      .insert(declarations)
      .values({
        schoolCode: school.code,
        classroomId,
        indicator: request.indicator,
        declaredAt: now,
        declaredBy: audit.actor,
        reason: audit.reason,
      })
      .returning({ id: declarations.id })
      .get();
    recordAudit(
      db,
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
    evaluateSchoolsOnConnection(db, [school.code], now);
    return readDeclaration(db, id);
  });
}

/** Withdraws a declaration (it stays on record); the school's figures drop it at once. */
export function withdrawDeclaration(
  db: Db,
  id: number,
  now: number,
  audit: AuditSource,
  countyScope: string | null,
): Declaration {
  return inTransaction(db, () => {
    const declaration = readDeclaration(db, id);
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
    db.update(declarations).set({ withdrawnAt: now, withdrawnBy: audit.actor }).where(eq(declarations.id, id)).run();
    recordAudit(
      db,
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
    evaluateSchoolsOnConnection(db, [declaration.schoolCode], now);
    return readDeclaration(db, id);
  });
}

/** Declarations in scope, newest first, with whether a measurement agrees as of `now` and whether evidence contradicts them. */
export function listDeclarations(
  db: Db,
  filter: {
    countyScope: string | null;
    status: 'active' | 'withdrawn' | 'all';
    conflict?: boolean | undefined;
    schoolCode?: string;
  },
  now: number,
): Declaration[] {
  // Agreement and conflict come from the derived school status, which the passage of time changes.
  sweepBeforeReadOnConnection(db, now);
  const where: (SQL | undefined)[] = [];
  if (filter.schoolCode !== undefined) where.push(eq(declarations.schoolCode, filter.schoolCode));
  const inScope = inDivision(schools.countyCode, filter.countyScope);
  if (inScope) where.push(inScope);
  if (filter.status === 'active') where.push(isNull(declarations.withdrawnAt));
  if (filter.status === 'withdrawn') where.push(isNotNull(declarations.withdrawnAt));
  const rows = selectDeclarations(db)
    .where(and(...where))
    .orderBy(desc(declarations.id))
    .all()
    .map(toDeclaration);
  return filter.conflict === undefined ? rows : rows.filter((d) => d.conflict === filter.conflict);
}

function selectDeclarations(db: Db) {
  return db
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

type Row = ReturnType<ReturnType<typeof selectDeclarations>['all']>[number];
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

function readDeclaration(db: Db, id: number): Declaration {
  const row = selectDeclarations(db).where(eq(declarations.id, id)).get();
  if (!row)
    throw new DomainError('not-found', 'declaration_unknown', `no declaration ${id}`, undefined, { params: { id } });
  return toDeclaration(row);
}
