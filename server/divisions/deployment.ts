import { asc, eq } from 'drizzle-orm';
import { inTransaction, type Db } from '../db/client.ts';
import { perConnection } from '../db/per-connection.ts';
import { deployment, divisionRollups, divisions } from '../db/schema.ts';
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
export function storedRoot(db: Db): { code: string; referenceEdition: string } | undefined {
  return db
    .select({ code: deployment.rootCode, referenceEdition: deployment.referenceEdition })
    .from(deployment)
    .where(eq(deployment.id, 1))
    .get();
}

/**
 * The deployment's root: the stored one, or on first use `requested` (default Linxia) with its subtree of the
 * shipped reference loaded into `divisions` and a zero rollup row for each. A `requested` root other than the
 * stored one is refused.
 */
export function establishRoot(db: Db, requested: string | undefined, now: number): string {
  const stored = storedRoot(db);
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
  const tree = loadShippedDivisionTree();
  const code = requested ?? DEFAULT_ROOT_CODE;
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
      .values({ id: 1, rootCode: code, referenceEdition: tree.edition, chosenAt: now, treeVersion: 1 })
      .run();
  });
  return code;
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

const treeCache = perConnection((sqlite) => ({
  version: sqlite.prepare<[], number>('select tree_version from deployment where id = 1').pluck(),
  seen: -1,
  tree: undefined as DeploymentTree | undefined,
}));

/** The stored tree, rebuilt only when `divisions` changed since this connection last built it. */
export function deploymentTree(db: Db): DeploymentTree {
  const cache = treeCache(db);
  const version = cache.version.get();
  if (version === undefined) throw new RootError('this database has no deployment root yet; start the server once');
  if (cache.tree && cache.seen === version) return cache.tree;
  const rows = db.select().from(divisions).orderBy(asc(divisions.code)).all();
  cache.tree = buildTree(rows);
  cache.seen = version;
  return cache.tree;
}

function buildTree(rows: readonly TreeDivision[]): DeploymentTree {
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
