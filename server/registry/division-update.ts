import { and, count, eq, inArray } from 'drizzle-orm';
import type { AuditSource } from '../audit/audit.ts';
import { recordAudit } from '../audit/audit.ts';
import { refreshRollups } from '../coverage/evaluate.ts';
import type { Store } from '../db/store.ts';
import { deploymentTree, RootError, storedRoot, zeroFigures } from '../divisions/deployment.ts';
import { planEditionChange, type EditionChange } from '../divisions/edition-change.ts';
import type { DivisionTree } from '../divisions/tree.ts';

/*
 * `santong divisions update FILE`: a newer edition of the division reference applied to the deployment's stored
 * tree, all or nothing (issue 13 item 1, decision 160). Schools, accounts, tokens, platforms and closures of a
 * division that goes move to its successor in the same transaction; every rollup is re-summed before it commits.
 */

/** What the update would do (`dryRun`) or did: the change report, and why it was refused if it was. */
export interface DivisionUpdateResult {
  change: EditionChange;
  applied: boolean;
}

function countsBy(rows: readonly { code: string | null; n: number }[], into: Map<string, number>): void {
  for (const r of rows) if (r.code !== null) into.set(r.code, (into.get(r.code) ?? 0) + r.n);
}

/** Everything that names a division besides schools: accounts, API tokens, platforms, closures. */
async function referencesPerDivision(store: Store): Promise<Map<string, number>> {
  const { users, apiTokens, platforms, closures } = store.t;
  const out = new Map<string, number>();
  countsBy(await store.q.select({ code: users.divisionCode, n: count() }).from(users).groupBy(users.divisionCode), out);
  countsBy(
    await store.q.select({ code: apiTokens.divisionCode, n: count() }).from(apiTokens).groupBy(apiTokens.divisionCode),
    out,
  );
  countsBy(
    await store.q
      .select({ code: platforms.ownerCode, n: count() })
      .from(platforms)
      .where(inArray(platforms.level, ['prefecture', 'county']))
      .groupBy(platforms.ownerCode),
    out,
  );
  countsBy(
    await store.q.select({ code: closures.countyCode, n: count() }).from(closures).groupBy(closures.countyCode),
    out,
  );
  return out;
}

/**
 * Compares the stored tree with `next` and, unless `dryRun` or refused, applies it: new divisions with zero
 * rollups, renames, new parents, moves to successors (`successors` first, else a unique name stem), dropped
 * divisions, the stored edition, and every rollup re-summed; audit-logged. Refusals are returned, nothing written.
 */
export async function updateDivisionReference(
  store: Store,
  next: DivisionTree,
  options: { successors: ReadonlyMap<string, string>; dryRun: boolean },
  now: number,
  audit: AuditSource,
): Promise<DivisionUpdateResult> {
  return store.transaction(async (tx) => {
    const { schools, divisions, deployment } = tx.t;
    const root = await storedRoot(tx);
    if (!root) throw new RootError('this database has no deployment root yet; start the server once');
    const schoolsPerDivision = new Map<string, number>();
    countsBy(
      await tx.q.select({ code: schools.countyCode, n: count() }).from(schools).groupBy(schools.countyCode),
      schoolsPerDivision,
    );
    const change = planEditionChange({
      stored: await tx.q.select().from(divisions),
      storedEdition: root.referenceEdition,
      rootCode: root.code,
      next,
      schoolsPerDivision,
      referencesPerDivision: await referencesPerDivision(tx),
      successors: options.successors,
    });
    if (change.refusals.length > 0 || options.dryRun) return { change, applied: false };
    await apply(tx, change, now);
    await tx.q.update(deployment).set({ referenceEdition: next.edition }).where(eq(deployment.id, 1));
    const counties = (await deploymentTree(tx)).counties(root.code).map((d) => d.code);
    await refreshRollups(tx, counties, now);
    const { changes } = change;
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'divisions.update',
        entityType: 'deployment',
        entityId: root.code,
        oldValue: { referenceEdition: root.referenceEdition },
        newValue: {
          referenceEdition: next.edition,
          added: changes.added.map((d) => d.code),
          renamed: changes.renamed,
          moved: changes.moved,
          removed: changes.removed.map((d) => d.code),
          successors: change.moves.map((m) => ({ from: m.from.code, to: m.to.code, schools: m.schools })),
        },
      },
      now,
    );
    return { change, applied: true };
  });
}

async function apply(tx: Store, change: EditionChange, now: number): Promise<void> {
  const { divisions, divisionRollups, schools, schoolStatus, users, apiTokens, platforms, closures } = tx.t;
  for (const row of change.add) {
    await tx.q.insert(divisions).values(row);
    await tx.q.insert(divisionRollups).values({ divisionCode: row.code, ...zeroFigures, updatedAt: now });
  }
  for (const r of change.rename) await tx.q.update(divisions).set({ name: r.name }).where(eq(divisions.code, r.code));
  for (const r of change.reparent)
    await tx.q.update(divisions).set({ parentCode: r.parentCode }).where(eq(divisions.code, r.code));
  for (const { from, to } of change.moves) {
    await tx.q.update(schools).set({ countyCode: to.code }).where(eq(schools.countyCode, from.code));
    await tx.q.update(schoolStatus).set({ countyCode: to.code }).where(eq(schoolStatus.countyCode, from.code));
    await tx.q.update(users).set({ divisionCode: to.code }).where(eq(users.divisionCode, from.code));
    await tx.q.update(apiTokens).set({ divisionCode: to.code }).where(eq(apiTokens.divisionCode, from.code));
    await tx.q.update(platforms).set({ countyCode: to.code }).where(eq(platforms.countyCode, from.code));
    await tx.q
      .update(platforms)
      .set({ ownerCode: to.code })
      .where(and(eq(platforms.ownerCode, from.code), inArray(platforms.level, ['prefecture', 'county'])));
    await tx.q.update(closures).set({ countyCode: to.code }).where(eq(closures.countyCode, from.code));
  }
  for (const code of change.drop) {
    await tx.q.delete(divisionRollups).where(eq(divisionRollups.divisionCode, code));
    await tx.q.delete(divisions).where(eq(divisions.code, code));
  }
}
