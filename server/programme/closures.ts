import { asc, eq } from 'drizzle-orm';
import type { ClosureRequest } from '../../shared/schemas/declarations.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { closures, divisions, schools } from '../db/schema.ts';
import { DomainError } from '../errors.ts';

/** Schools whose calendar a closure for this county (or every county) changes. */
function affectedSchools(db: Db, countyCode: string | null): string[] {
  const query = db.select({ code: schools.code }).from(schools);
  return (countyCode === null ? query : query.where(eq(schools.countyCode, countyCode))).all().map((s) => s.code);
}

/** Adds a school closure (holiday); evidence ages pause for its days, so figures are re-derived. */
export function addClosure(db: Db, request: Omit<ClosureRequest, 'reason'>, now: number, audit: AuditSource) {
  return inTransaction(db, () => {
    const countyCode = request.countyCode ?? null;
    if (countyCode !== null && !db.select().from(divisions).where(eq(divisions.code, countyCode)).get()) {
      throw new DomainError(
        'invalid',
        'county_unknown',
        `no county ${countyCode}`,
        [{ path: 'countyCode', message: 'not a county of this plan' }],
        { params: { county: countyCode } },
      );
    }
    const row = db
      .insert(closures)
      .values({ name: request.name, countyCode, startsOn: request.startsOn, endsOn: request.endsOn, createdAt: now })
      .returning()
      .get();
    recordAudit(
      db,
      {
        ...audit,
        action: 'closure.create',
        entityType: 'closure',
        entityId: String(row.id),
        countyCode,
        newValue: request,
      },
      now,
    );
    evaluateSchools(db, affectedSchools(db, countyCode), now);
    return { id: row.id, name: row.name, countyCode: row.countyCode, startsOn: row.startsOn, endsOn: row.endsOn };
  });
}

/** Removes a closure (a mistaken entry); figures are re-derived without it. */
export function removeClosure(db: Db, id: number, now: number, audit: AuditSource): void {
  inTransaction(db, () => {
    const row = db.select().from(closures).where(eq(closures.id, id)).get();
    if (!row) throw new DomainError('not-found', 'closure_unknown', `no closure ${id}`, undefined, { params: { id } });
    db.delete(closures).where(eq(closures.id, id)).run();
    recordAudit(
      db,
      {
        ...audit,
        action: 'closure.remove',
        entityType: 'closure',
        entityId: String(id),
        countyCode: row.countyCode,
        oldValue: row,
      },
      now,
    );
    evaluateSchools(db, affectedSchools(db, row.countyCode), now);
  });
}

/** Every closure, by first day. */
export function listClosures(db: Db) {
  return db
    .select({
      id: closures.id,
      name: closures.name,
      countyCode: closures.countyCode,
      startsOn: closures.startsOn,
      endsOn: closures.endsOn,
    })
    .from(closures)
    .orderBy(asc(closures.startsOn))
    .all();
}
