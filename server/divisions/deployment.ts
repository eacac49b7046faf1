import { asc, eq, sql, type Column } from 'drizzle-orm';
import { statement, type Store } from '../db/store.ts';
import type { DivisionLevelName } from '../../shared/schemas/division-code.ts';
import { COUNTRY_CODE } from './levels.ts';
import { loadShippedDivisionTree } from './reference-file.ts';
import { rootChoice } from './root-choice.ts';

/*
 * The deployment's root and its division tree as stored (decision 141). A database tracks one root — the
 * country, a province or a prefecture — chosen at first use (`--root CODE` or SANTONG_ROOT_DIVISION, Linxia
 * 622900 by default) and kept: a later start with another root is refused, so the figures of one root are
 * never mixed with another's. The tree in `divisions` is the root's subtree of the shipped reference; the
 * root's row has no parent.
 */

/** Linxia Hui Autonomous Prefecture: the root of a deployment that names none (the first deployment). */
export const DEFAULT_ROOT_CODE = '622900';

/** A deployment root that cannot be used; the message says why and what to do. */
export class RootError extends Error {}

/** One division of the deployment's tree. */
export interface TreeDivision {
  code: string;
  name: string;
  pinyin: string | null;
  level: DivisionLevelName;
  parentCode: string | null;
}

/** The deployment's tree in memory: read once per change to `divisions` (deployment.tree_version). */
export interface DeploymentTree {
  root: TreeDivision;
  get(code: string): TreeDivision | undefined;
  /** Direct children in code order. */
  children(code: string): readonly TreeDivision[];
  /** Parent first, up to and including the root; empty for the root or a code outside the tree. */
  ancestors(code: string): readonly TreeDivision[];
  /** The county-level divisions at or under `code` (schools' units), in code order. */
  counties(code: string): readonly TreeDivision[];
  /** Whether schools may point at `code`: a county, or a prefecture-level city with no counties (嘉峪关 620200). */
  isSchoolUnit(code: string): boolean;
}

/** The root stored with the data, or undefined before the first use. */
export async function storedRoot(store: Store): Promise<{ code: string; referenceEdition: string } | undefined> {
  const { deployment } = store.t;
  return (
    await store.q
      .select({ code: deployment.rootCode, referenceEdition: deployment.referenceEdition })
      .from(deployment)
      .where(eq(deployment.id, 1))
      .limit(1)
  )[0];
}

/**
 * The deployment's root: the stored one, or on first use `requested` (default Linxia) with its subtree of the
 * shipped reference loaded into `divisions` and a zero rollup row for each. A `requested` root other than the
 * stored one is refused.
 */
export async function establishRoot(store: Store, requested: string | undefined, now: number): Promise<string> {
  const stored = await storedRoot(store);
  if (stored) return keptRoot(store, stored.code, requested);
  // Reading the shipped reference is file work: before the transaction (decision 180).
  const { code, edition, rows } = rootSubtree(requested ?? DEFAULT_ROOT_CODE);
  return store.transaction(async (tx) => {
    // Another server may have chosen the root since: its choice stands (SERIALIZABLE re-runs this on a race).
    const chosen = await storedRoot(tx);
    if (chosen) return keptRoot(tx, chosen.code, requested);
    const { divisions, divisionRollups, deployment } = tx.t;
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      await tx.q
        .insert(divisions)
        .values(chunk)
        .onConflictDoUpdate({
          target: divisions.code,
          set: { level: excluded(divisions.level), parentCode: excluded(divisions.parentCode) },
        });
      await tx.q
        .insert(divisionRollups)
        .values(chunk.map((row) => ({ divisionCode: row.code, ...zeroFigures, updatedAt: now })))
        .onConflictDoNothing();
    }
    await tx.q
      .insert(deployment)
      .values({ id: 1, rootCode: code, referenceEdition: edition, chosenAt: now, treeVersion: 1 });
    return code;
  });
}

/** The value an upsert would have inserted into `column` (`excluded.x`: the same in SQLite and PostgreSQL). */
const excluded = (column: Column) => sql`excluded.${sql.identifier(column.name)}`;

// A country's tree is ~3,600 divisions: inserted in chunks, well under either dialect's limit on parameters.
const ROWS_PER_INSERT = 500;

/** The stored root, when `requested` names no other: a deployment keeps the root it started with. */
async function keptRoot(store: Store, stored: string, requested: string | undefined): Promise<string> {
  if (requested === undefined || requested === stored) return stored;
  const { divisions } = store.t;
  const name = (
    await store.q.select({ name: divisions.name }).from(divisions).where(eq(divisions.code, stored)).limit(1)
  )[0];
  throw new RootError(
    `this data directory tracks ${stored} (${name?.name ?? 'unknown'}), not ${requested}; ` +
      `a deployment keeps the root it started with: start without --root / SANTONG_ROOT_DIVISION, ` +
      `or give ${requested} its own data directory (--data-dir)`,
  );
}

/** The divisions a deployment rooted at `code` holds, from the shipped reference; RootError for a code that cannot be a root. */
export function rootSubtree(code: string): { code: string; edition: string; rows: TreeDivision[] } {
  const tree = loadShippedDivisionTree();
  const { root, error } = rootChoice(tree, code);
  if (!root) throw new RootError(error!);
  const rows: TreeDivision[] =
    root.level === 'country'
      ? [
          { code: COUNTRY_CODE, name: root.name, pinyin: 'Quanguo', level: 'country', parentCode: null },
          ...tree.subtree(COUNTRY_CODE).map((d) => ({
            code: d.code,
            name: d.name,
            pinyin: null,
            level: d.level,
            parentCode: d.parent ?? COUNTRY_CODE,
          })),
        ]
      : tree.subtree(code).map((d) => ({
          code: d.code,
          name: d.name,
          pinyin: null,
          level: d.level,
          parentCode: d.code === code ? null : d.parent,
        }));
  return { code, edition: tree.edition, rows };
}

/** The figures of a division with no school yet. */
export const zeroFigures = {
  schoolsRegistered: 0,
  schoolsConnected: 0,
  schoolsMeetingStandard: 0,
  classroomsRegistered: 0,
  classroomsEquipped: 0,
  devicesEnrolled: 0,
  devicesLive: 0,
  devicesAtRisk: 0,
  devicesSilent: 0,
  devicesNever: 0,
};

const treeVersion = statement<{ version: number }, []>('select tree_version as "version" from deployment where id = 1');

/**
 * The last tree built per database (Store.database: a SQLite connection, a PostgreSQL pool), shared by its
 * transactions. Only a tree built outside any transaction is kept there: inside one, `divisions` may hold the
 * transaction's own uncommitted rows under a tree version no other transaction will ever commit with them. A
 * transaction that finds no kept tree of its version builds its own, kept for it alone.
 */
const builtTrees = new WeakMap<object, { seen: number; tree: DeploymentTree }>();

/** The stored tree, rebuilt only when `divisions` changed (deployment.tree_version) since it was last built. */
export async function deploymentTree(store: Store): Promise<DeploymentTree> {
  const version = (await store.row(treeVersion))?.version;
  if (version === undefined) throw new RootError('this database has no deployment root yet; start the server once');
  for (const kept of [builtTrees.get(store.database), store.inTransaction ? builtTrees.get(store) : undefined])
    if (kept?.seen === version) return kept.tree;
  const { divisions } = store.t;
  const tree = buildTree(await store.q.select().from(divisions).orderBy(asc(divisions.code)));
  // A transaction's store is an object of its own, gone with the transaction.
  builtTrees.set(store.inTransaction ? store : store.database, { seen: version, tree });
  return tree;
}

/** The tree over the rows of `divisions` in code order. */
export function buildTree(rows: readonly TreeDivision[]): DeploymentTree {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const childrenOf = new Map<string, TreeDivision[]>();
  let root: TreeDivision | undefined;
  for (const row of rows) {
    if (row.parentCode === null) {
      root ??= row;
      continue;
    }
    const list = childrenOf.get(row.parentCode);
    if (list) list.push(row);
    else childrenOf.set(row.parentCode, [row]);
  }
  if (!root) throw new RootError('the division tree has no root row');
  const countiesOf = new Map<string, readonly TreeDivision[]>();
  const children = (code: string) => childrenOf.get(code) ?? [];
  const isSchoolUnit = (x: TreeDivision | undefined) =>
    x?.level === 'county' || (x?.level === 'prefecture' && children(x.code).length === 0);
  const counties = (code: string): readonly TreeDivision[] => {
    const known = countiesOf.get(code);
    if (known) return known;
    const d = byCode.get(code);
    const list: TreeDivision[] = [];
    const visit = (x: TreeDivision) => {
      const below = children(x.code);
      if (isSchoolUnit(x)) list.push(x);
      below.forEach(visit);
    };
    if (d) visit(d);
    countiesOf.set(code, list);
    return list;
  };
  return {
    root,
    get: (code) => byCode.get(code),
    children,
    ancestors(code) {
      const chain: TreeDivision[] = [];
      for (let d = byCode.get(code); d?.parentCode; d = byCode.get(d.parentCode)) {
        const parent = byCode.get(d.parentCode);
        if (!parent) break;
        chain.push(parent);
      }
      return chain;
    },
    counties,
    isSchoolUnit: (code) => isSchoolUnit(byCode.get(code)),
  };
}
