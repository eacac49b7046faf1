import { diffDivisionTrees, type DivisionChanges } from './diff.ts';
import { COUNTRY_CODE, provinceCodeOf } from './levels.ts';
import type { Division, DivisionTree } from './tree.ts';
import type { TreeDivision } from './deployment.ts';

/*
 * What a newer edition of the reference does to a deployment's stored tree (`santong divisions update`, issue 13
 * item 1), computed before anything is written. Pure: the caller reads the stored rows and what points at each
 * division, and applies the result in one transaction (server/registry/division-update.ts).
 */

/** A division that goes while something still points at it, and the division of the new edition that takes its place. */
export interface DivisionMove {
  from: { code: string; name: string };
  to: { code: string; name: string };
  schools: number;
  /** Users, API tokens, platforms and closures that name the division. */
  otherReferences: number;
  /** `name`: the only division of the new edition with the same name stem; `flag`: named by --successors. */
  because: 'name' | 'flag';
}

/** The stored tree's changes: what to add, rename, re-parent, move and drop, or why it cannot be done. */
export interface EditionChange {
  changes: DivisionChanges;
  /** New rows, parents before children, with the parent code as stored (the root's row has none). */
  add: readonly TreeDivision[];
  rename: readonly { code: string; name: string }[];
  reparent: readonly { code: string; parentCode: string | null }[];
  moves: readonly DivisionMove[];
  /** Codes to delete, children before parents. */
  drop: readonly string[];
  /** Every reason the update must be refused, each naming the division and what to do; empty when it may go ahead. */
  refusals: readonly string[];
}

/** A tree over rows as given, unchecked: the stored tree and a root's subtree of a checked reference are both trees. */
export function treeOfRows(rows: readonly Division[], edition: string): DivisionTree {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const childrenOf = new Map<string, Division[]>();
  for (const d of rows) {
    const key = d.parent ?? COUNTRY_CODE;
    const list = childrenOf.get(key);
    if (list) list.push(d);
    else childrenOf.set(key, [d]);
  }
  const children = (code: string): readonly Division[] => childrenOf.get(code) ?? [];
  return {
    edition,
    divisions: rows,
    get: (code) => byCode.get(code),
    children,
    ancestors(code) {
      const chain: Division[] = [];
      for (let d = byCode.get(code); d?.parent && byCode.has(d.parent); d = byCode.get(d.parent))
        chain.push(byCode.get(d.parent)!);
      return chain;
    },
    subtree(code) {
      const out: Division[] = [];
      const visit = (d: Division) => {
        out.push(d);
        children(d.code).forEach(visit);
      };
      (code === COUNTRY_CODE ? children(code) : byCode.has(code) ? [byCode.get(code)!] : []).forEach(visit);
      return out;
    },
    levelOf: (code) => byCode.get(code)?.level,
    isSchoolUnit(code) {
      const d = byCode.get(code);
      return d?.level === 'county' || (d?.level === 'prefecture' && children(code).length === 0);
    },
  };
}

/**
 * The stored tree as a reference tree: the country row left out, the root's row given its parent in the
 * reference (a prefecture's province), so both editions compare code for code.
 */
export function storedAsReference(stored: readonly TreeDivision[], edition: string): DivisionTree {
  const rows: Division[] = stored
    .filter((d) => d.level !== 'country')
    .map((d) => ({
      code: d.code,
      name: d.name,
      level: d.level as Division['level'],
      parent: d.parentCode === null || d.parentCode === COUNTRY_CODE ? rootParent(d) : d.parentCode,
      kind: 'division',
    }));
  return treeOfRows(rows, edition);
}

const rootParent = (d: { code: string; level: string }) => (d.level === 'prefecture' ? provinceCodeOf(d.code) : null);

/**
 * Compares the stored tree of the deployment rooted at `rootCode` with the same subtree of `next`. A division that
 * goes while schools or accounts point at it moves to its successor: the one `--successors OLD=NEW` names, else the
 * only division of the new edition with its name stem (沙县 → 沙县区, 三元区 → the new 三元区); with neither, or
 * with several candidates, the update is refused naming the division, its schools and the flag that resolves it.
 */
export function planEditionChange(input: {
  stored: readonly TreeDivision[];
  storedEdition: string;
  rootCode: string;
  next: DivisionTree;
  schoolsPerDivision: ReadonlyMap<string, number>;
  referencesPerDivision: ReadonlyMap<string, number>;
  successors: ReadonlyMap<string, string>;
}): EditionChange {
  const { rootCode, next, schoolsPerDivision, referencesPerDivision, successors } = input;
  const current = storedAsReference(input.stored, input.storedEdition);
  const refusals: string[] = [];
  if (rootCode !== COUNTRY_CODE && !next.get(rootCode)) {
    refusals.push(`the deployment's root ${rootCode} is not in the new reference; a deployment keeps its root`);
  }
  const nextRows = next.subtree(rootCode);
  const nextTree = treeOfRows(nextRows, next.edition);
  const changes = diffDivisionTrees(current, nextTree, schoolsPerDivision);

  const moves: DivisionMove[] = [];
  const name = (code: string) => nextTree.get(code)?.name ?? current.get(code)?.name ?? '';
  for (const [from, to] of successors) {
    if (!current.get(from) && !schoolsPerDivision.get(from))
      refusals.push(`--successors ${from}=${to}: ${from} is not a division of this deployment`);
    else if (nextTree.get(from) && current.isSchoolUnit(from) === nextTree.isSchoolUnit(from))
      refusals.push(`--successors ${from}=${to}: ${from} ${name(from)} stays in the new reference; nothing moves`);
    if (!nextTree.get(to))
      refusals.push(`--successors ${from}=${to}: ${to} is not under ${rootCode} in the new reference`);
  }
  const blockingCodes = new Set(changes.blocking.map((b) => b.code));
  const inUse = [
    ...changes.blocking.map((b) => ({ code: b.code, name: b.name, likely: b.likelySuccessors, why: b.reason })),
    ...changes.removed
      .filter((d) => !blockingCodes.has(d.code) && (referencesPerDivision.get(d.code) ?? 0) > 0)
      .map((d) => ({ code: d.code, name: d.name, likely: d.likelySuccessors, why: 'removed' as const })),
  ];
  for (const d of inUse) {
    const schools = schoolsPerDivision.get(d.code) ?? 0;
    const otherReferences = referencesPerDivision.get(d.code) ?? 0;
    const flagged = successors.get(d.code);
    const unique = d.why === 'removed' && d.likely.length === 1 ? d.likely[0]!.code : undefined;
    const to = flagged ?? unique;
    const what = `${d.code} ${d.name} (${schools} schools, ${otherReferences} accounts, tokens, platforms or closures)`;
    if (to === undefined) {
      const candidates = d.likely.map((s) => `${s.code} ${s.name}`).join(', ');
      refusals.push(
        `${what} ${d.why === 'removed' ? 'is not in the new reference' : 'is no longer where schools point'}` +
          `${candidates ? `; candidates: ${candidates}` : ''}: name its successor with --successors ${d.code}=NEW, ` +
          `or move what points at it first (import-schools with the new county)`,
      );
      continue;
    }
    if (nextTree.get(to) && schools > 0 && !nextTree.isSchoolUnit(to)) {
      refusals.push(
        `${what}: its successor ${to} ${name(to)} is not a county-level division; schools point at counties`,
      );
      continue;
    }
    moves.push({
      from: { code: d.code, name: d.name },
      to: { code: to, name: name(to) },
      schools,
      otherReferences,
      because: flagged ? 'flag' : 'name',
    });
  }

  const parentOf = (d: Division) => (d.code === rootCode ? null : (d.parent ?? COUNTRY_CODE));
  const add = changes.added.map((d) => ({
    code: d.code,
    name: d.name,
    pinyin: null,
    level: d.level,
    parentCode: parentOf(d),
  }));
  const rename = changes.renamed.map((r) => ({ code: r.code, name: r.to }));
  const reparent = changes.moved.map((m) => ({ code: m.code, parentCode: parentOf(nextTree.get(m.code)!) }));
  const levelRank = { country: 0, province: 1, prefecture: 2, county: 3 };
  const drop = changes.removed
    .slice()
    .sort((a, b) => levelRank[b.level] - levelRank[a.level])
    .map((d) => d.code);
  return { changes: { ...changes, refusal: undefined }, add, rename, reparent, moves, drop, refusals };
}
