import { asc, eq } from 'drizzle-orm';
import type { ClosureRequest } from '../../shared/schemas/declarations.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';

/** Schools whose calendar a closure for this county (or every county) changes. */
async function affectedSchools(store: Store, countyCode: string | null): Promise<string[]> {
  const { schools } = store.t;
  const query = store.q.select({ code: schools.code }).from(schools);
  return (await (countyCode === null ? query : query.where(eq(schools.countyCode, countyCode)))).map((s) => s.code);
}

/** Records the change and re-derives the affected schools' figures. */
async function closureChanged(
  tx: Store,
  countyCode: string | null,
  entry: Parameters<typeof recordAudit>[1],
  now: number,
) {
  const affected = await affectedSchools(tx, countyCode);
  await recordAudit(tx, entry, now);
  await evaluateSchools(tx, affected, now);
}

/** Adds a school closure (holiday); evidence ages pause for its days, so figures are re-derived. */
export async function addClosure(
  store: Store,
  request: Omit<ClosureRequest, 'reason'>,
  now: number,
  audit: AuditSource,
) {
  return store.transaction(async (tx) => {
    const { closures, divisions } = tx.t;
    const countyCode = request.countyCode ?? null;
    if (
      countyCode !== null &&
      (await tx.q.select({ code: divisions.code }).from(divisions).where(eq(divisions.code, countyCode)).limit(1))
        .length === 0
    ) {
      throw new DomainError(
        'invalid',
        'county_unknown',
        `no county ${countyCode}`,
        [{ path: 'countyCode', message: 'not a county of this plan' }],
        { params: { county: countyCode } },
      );
    }
    const [row] = await tx.q
      .insert(closures)
      .values({ name: request.name, countyCode, startsOn: request.startsOn, endsOn: request.endsOn, createdAt: now })
      .returning();
    await closureChanged(
      tx,
      countyCode,
      {
        ...audit,
        action: 'closure.create',
        entityType: 'closure',
        entityId: String(row!.id),
        countyCode,
        newValue: request,
      },
      now,
    );
    return { id: row!.id, name: row!.name, countyCode: row!.countyCode, startsOn: row!.startsOn, endsOn: row!.endsOn };
  });
}

/** Removes a closure (a mistaken entry); figures are re-derived without it. */
export async function removeClosure(store: Store, id: number, now: number, audit: AuditSource): Promise<void> {
  await store.transaction(async (tx) => {
    const { closures } = tx.t;
    const [row] = await tx.q.select().from(closures).where(eq(closures.id, id)).limit(1);
    if (!row) throw new DomainError('not-found', 'closure_unknown', `no closure ${id}`, undefined, { params: { id } });
    await tx.q.delete(closures).where(eq(closures.id, id));
    await closureChanged(
      tx,
      row.countyCode,
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
  });
}

/** Every closure, by first day. */
export async function listClosures(store: Store) {
  const { closures } = store.t;
  return store.q
    .select({
      id: closures.id,
      name: closures.name,
      countyCode: closures.countyCode,
      startsOn: closures.startsOn,
      endsOn: closures.endsOn,
    })
    .from(closures)
    .orderBy(asc(closures.startsOn));
}
