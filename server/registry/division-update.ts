import { and, count, eq, inArray } from 'drizzle-orm';
import type { AuditSource } from '../audit/audit.ts';
import { recordAudit } from '../audit/audit.ts';
import { refreshRollups } from '../coverage/evaluate.ts';
import { inTransaction, type Db } from '../db/client.ts';
import {
  apiTokens,
  closures,
  deployment,
  divisionRollups,
  divisions,
  platforms,
  schools,
  schoolStatus,
  users,
} from '../db/schema.ts';
import { RootError, zeroFigures } from '../divisions/deployment.ts';
import { deploymentTreeOnConnection, storedRootOnConnection } from '../divisions/deployment-on-connection.ts';
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
function referencesPerDivision(db: Db): Map<string, number> {
  const out = new Map<string, number>();
  countsBy(db.select({ code: users.divisionCode, n: count() }).from(users).groupBy(users.divisionCode).all(), out);
  countsBy(
    db.select({ code: apiTokens.divisionCode, n: count() }).from(apiTokens).groupBy(apiTokens.divisionCode).all(),
    out,
  );
  countsBy(
    db
      .select({ code: platforms.ownerCode, n: count() })
      .from(platforms)
      .where(inArray(platforms.level, ['prefecture', 'county']))
      .groupBy(platforms.ownerCode)
      .all(),
    out,
  );
  countsBy(db.select({ code: closures.countyCode, n: count() }).from(closures).groupBy(closures.countyCode).all(), out);
  return out;
}

/**
 * Compares the stored tree with `next` and, unless `dryRun` or refused, applies it: new divisions with zero
 * rollups, renames, new parents, moves to successors (`successors` first, else a unique name stem), dropped
 * divisions, the stored edition, and every rollup re-summed; audit-logged. Refusals are returned, nothing written.
 */
export function updateDivisionReference(
  db: Db,
  next: DivisionTree,
  options: { successors: ReadonlyMap<string, string>; dryRun: boolean },
  now: number,
  audit: AuditSource,
): DivisionUpdateResult {
  return inTransaction(db, () => {
    const root = storedRootOnConnection(db);
    if (!root) throw new RootError('this database has no deployment root yet; start the server once');
    const schoolsPerDivision = new Map<string, number>();
    countsBy(
      db.select({ code: schools.countyCode, n: count() }).from(schools).groupBy(schools.countyCode).all(),
      schoolsPerDivision,
    );
    const change = planEditionChange({
      stored: db.select().from(divisions).all(),
      storedEdition: root.referenceEdition,
      rootCode: root.code,
      next,
      schoolsPerDivision,
      referencesPerDivision: referencesPerDivision(db),
      successors: options.successors,
    });
    if (change.refusals.length > 0 || options.dryRun) return { change, applied: false };
    apply(db, change, now);
    db.update(deployment).set({ referenceEdition: next.edition }).where(eq(deployment.id, 1)).run();
    refreshRollups(
      db,
      deploymentTreeOnConnection(db)
        .counties(root.code)
        .map((d) => d.code),
      now,
    );
    const { changes } = change;
    recordAudit(
      db,
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

function apply(db: Db, change: EditionChange, now: number): void {
  for (const row of change.add) {
    db.insert(divisions).values(row).run();
    db.insert(divisionRollups)
      .values({ divisionCode: row.code, ...zeroFigures, updatedAt: now })
      .run();
  }
  for (const r of change.rename) db.update(divisions).set({ name: r.name }).where(eq(divisions.code, r.code)).run();
  for (const r of change.reparent)
    db.update(divisions).set({ parentCode: r.parentCode }).where(eq(divisions.code, r.code)).run();
  for (const { from, to } of change.moves) {
    db.update(schools).set({ countyCode: to.code }).where(eq(schools.countyCode, from.code)).run();
    db.update(schoolStatus).set({ countyCode: to.code }).where(eq(schoolStatus.countyCode, from.code)).run();
    db.update(users).set({ divisionCode: to.code }).where(eq(users.divisionCode, from.code)).run();
    db.update(apiTokens).set({ divisionCode: to.code }).where(eq(apiTokens.divisionCode, from.code)).run();
    db.update(platforms).set({ countyCode: to.code }).where(eq(platforms.countyCode, from.code)).run();
    db.update(platforms)
      .set({ ownerCode: to.code })
      .where(and(eq(platforms.ownerCode, from.code), inArray(platforms.level, ['prefecture', 'county'])))
      .run();
    db.update(closures).set({ countyCode: to.code }).where(eq(closures.countyCode, from.code)).run();
  }
  for (const code of change.drop) {
    db.delete(divisionRollups).where(eq(divisionRollups.divisionCode, code)).run();
    db.delete(divisions).where(eq(divisions.code, code)).run();
  }
}
