import { asc, eq } from 'drizzle-orm';
import { inTransaction, type Db } from '../db/client.ts';
import { perConnection } from '../db/per-connection.ts';
import { deployment, divisionRollups, divisions } from '../db/schema.ts';
import {
  buildTree,
  DEFAULT_ROOT_CODE,
  RootError,
  rootSubtree,
  zeroFigures,
  type DeploymentTree,
} from './deployment.ts';

/*
 * A bridge, deleted once its callers move (issue 14): deployment.ts's root and tree on the SQLite connection, for
 * the folders not yet on the store (plan, coverage, accounts, auth and their routes, the bench world). Each
 * function is the synchronous twin of the store function of the same name without "OnConnection"; the rules
 * (which root, what its tree holds) are deployment.ts's, only the reads and writes are repeated here.
 */

/** storedRoot on the connection. */
export function storedRootOnConnection(db: Db): { code: string; referenceEdition: string } | undefined {
  return db
    .select({ code: deployment.rootCode, referenceEdition: deployment.referenceEdition })
    .from(deployment)
    .where(eq(deployment.id, 1))
    .get();
}

/** establishRoot on the connection. */
export function establishRootOnConnection(db: Db, requested: string | undefined, now: number): string {
  const stored = storedRootOnConnection(db);
  if (stored) {
    if (requested !== undefined && requested !== stored.code) {
      const name = db.select({ name: divisions.name }).from(divisions).where(eq(divisions.code, stored.code)).get();
      throw new RootError(
        `this data directory tracks ${stored.code} (${name?.name ?? 'unknown'}), not ${requested}; ` +
          `a deployment keeps the root it started with: start without --root / SANTONG_ROOT_DIVISION, ` +
          `or give ${requested} its own data directory (--data-dir)`,
      );
    }
    return stored.code;
  }
  const { code, edition, rows } = rootSubtree(requested ?? DEFAULT_ROOT_CODE);
  inTransaction(db, () => {
    for (const row of rows) {
      db.insert(divisions)
        .values(row)
        .onConflictDoUpdate({ target: divisions.code, set: { level: row.level, parentCode: row.parentCode } })
        .run();
      db.insert(divisionRollups)
        .values({ divisionCode: row.code, ...zeroFigures, updatedAt: now })
        .onConflictDoNothing()
        .run();
    }
    db.insert(deployment)
      .values({ id: 1, rootCode: code, referenceEdition: edition, chosenAt: now, treeVersion: 1 })
      .run();
  });
  return code;
}

const treeCache = perConnection((sqlite) => ({
  version: sqlite.prepare<[], number>('select tree_version from deployment where id = 1').pluck(),
  seen: -1,
  tree: undefined as DeploymentTree | undefined,
}));

/** deploymentTree on the connection. */
export function deploymentTreeOnConnection(db: Db): DeploymentTree {
  const cache = treeCache(db);
  const version = cache.version.get();
  if (version === undefined) throw new RootError('this database has no deployment root yet; start the server once');
  if (cache.tree && cache.seen === version) return cache.tree;
  cache.tree = buildTree(db.select().from(divisions).orderBy(asc(divisions.code)).all());
  cache.seen = version;
  return cache.tree;
}
