import { COUNTRY_CODE, levelOfCode, prefectureCodeOf, provinceCodeOf, type DivisionLevel } from './levels.ts';

/** One province, prefecture or county-level division of the reference. */
export interface Division {
  code: string;
  name: string;
  level: DivisionLevel;
  /** Null for a province (its parent is the country). */
  parent: string | null;
  kind: 'division' | 'zone';
}

/** The national tree of one reference edition; codes are the keys, the country (000000) is the virtual root. */
export interface DivisionTree {
  readonly edition: string;
  /** Every division, provinces first, then prefectures, then counties, each in code order. */
  readonly divisions: readonly Division[];
  get(code: string): Division | undefined;
  /** The direct children, in code order; children of 000000 are the provinces. */
  children(code: string): readonly Division[];
  /** Parent first, up to and including the province; empty for a province or an unknown code. */
  ancestors(code: string): readonly Division[];
  /** The division itself and everything below it, parents before children; 000000 gives the whole tree. */
  subtree(code: string): readonly Division[];
  levelOf(code: string): DivisionLevel | undefined;
  /** Where a school may point: a county-level division, or a prefecture-level city without counties (东莞). */
  isSchoolUnit(code: string): boolean;
}

const levelOrder: Record<DivisionLevel, number> = { province: 0, prefecture: 1, county: 2 };

/**
 * Builds a tree from parsed rows and checks how they relate: codes unique, the level the code's shape names,
 * a province without parent, a prefecture under its province, a county under its prefecture (XXXX00) or,
 * where no such prefecture exists (a municipality's districts, 仙桃 and the other 省直辖 cities), its province.
 */
export function buildDivisionTree(
  rows: readonly Division[],
  edition: string,
): { tree?: DivisionTree; errors: string[] } {
  const errors: string[] = [];
  const byCode = new Map<string, Division>();
  for (const row of rows) {
    if (byCode.has(row.code)) errors.push(`${row.code} ${row.name}: the code appears twice`);
    else byCode.set(row.code, row);
  }
  for (const d of byCode.values()) {
    const problem =
      parentProblem(d, byCode) ?? (d.kind === 'zone' && d.level !== 'county' ? 'a zone is county-level' : undefined);
    if (problem) errors.push(`${d.code} ${d.name}: ${problem}`);
  }
  if (errors.length > 0) return { errors };

  const sorted = [...byCode.values()].sort(
    (a, b) => levelOrder[a.level] - levelOrder[b.level] || a.code.localeCompare(b.code),
  );
  const childrenOf = new Map<string, Division[]>();
  for (const d of sorted) {
    const key = d.parent ?? COUNTRY_CODE;
    const siblings = childrenOf.get(key);
    if (siblings) siblings.push(d);
    else childrenOf.set(key, [d]);
  }
  for (const list of childrenOf.values()) list.sort((a, b) => a.code.localeCompare(b.code));

  const children = (code: string): readonly Division[] => childrenOf.get(code) ?? [];
  const tree: DivisionTree = {
    edition,
    divisions: sorted,
    get: (code) => byCode.get(code),
    children,
    ancestors(code) {
      const chain: Division[] = [];
      for (let d = byCode.get(code); d?.parent; d = byCode.get(d.parent)) chain.push(byCode.get(d.parent)!);
      return chain;
    },
    subtree(code) {
      const start = code === COUNTRY_CODE ? children(code) : byCode.has(code) ? [byCode.get(code)!] : [];
      const out: Division[] = [];
      const visit = (d: Division) => {
        out.push(d);
        children(d.code).forEach(visit);
      };
      start.forEach(visit);
      return out;
    },
    levelOf: (code) => byCode.get(code)?.level,
    isSchoolUnit(code) {
      const d = byCode.get(code);
      return d?.level === 'county' || (d?.level === 'prefecture' && children(code).length === 0);
    },
  };
  return { tree, errors: [] };
}

function parentProblem(d: Division, byCode: ReadonlyMap<string, Division>): string | undefined {
  const shape = levelOfCode(d.code);
  if (shape !== d.level) return `the code's shape names ${shape ? `a ${shape}` : 'no division'}, not a ${d.level}`;
  if (d.level === 'province') return d.parent === null ? undefined : 'a province has no parent';
  if (d.parent === null) return `a ${d.level} needs a parent`;
  if (!byCode.has(d.parent)) return `its parent ${d.parent} is not in the reference`;
  const province = provinceCodeOf(d.code);
  if (d.level === 'prefecture') return d.parent === province ? undefined : `a prefecture's parent is ${province}`;
  const prefecture = prefectureCodeOf(d.code);
  const expected = byCode.get(prefecture)?.level === 'prefecture' ? prefecture : province;
  return d.parent === expected ? undefined : `its parent must be ${expected}, not ${d.parent}`;
}
