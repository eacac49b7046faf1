import { describe, expect, it } from 'vitest';
import { describeDivisionChanges, diffDivisionTrees, nameStem } from '../../server/divisions/diff.ts';
import { gansu, treeOf } from './small-trees.ts';

const codes = (list: readonly { code: string }[]) => list.map((d) => d.code);
const before = treeOf('old', gansu);

describe('comparing two editions of the tree', () => {
  it('reports nothing between a tree and itself', () => {
    const changes = diffDivisionTrees(before, before, new Map([['622921', 40]]));
    expect(changes).toMatchObject({ added: [], renamed: [], moved: [], removed: [], blocking: [] });
    expect(changes.refusal).toBeUndefined();
  });

  it('finds added, renamed, moved and removed codes', () => {
    const after = treeOf('new', [
      ...gansu.filter((r) => !r.startsWith('620102') && !r.startsWith('622901')),
      '620104 城关区 county 620100', // renumbered
      '622901 临夏市新名 county 622900', // renamed
      '622922 康乐县 county 622900', // added
      '629001 兰州新区 county 620000', // a county-level unit directly under the province
    ]);
    const changes = diffDivisionTrees(before, after, new Map());
    expect(codes(changes.added)).toEqual(['620104', '622922', '629001']);
    expect(changes.renamed).toEqual([{ code: '622901', level: 'county', from: '临夏市', to: '临夏市新名' }]);
    expect(codes(changes.removed)).toEqual(['620102']);
    expect(codes(changes.removed[0]!.likelySuccessors)).toEqual(['620104']);
    expect(changes.moved).toEqual([]);
    expect(changes.refusal).toBeUndefined();
  });

  it('reports a county whose prefecture appears or vanishes as moved', () => {
    const flat = treeOf('flat', ['420000 湖北省 province -', '429004 仙桃市 county 420000']);
    const nested = treeOf('nested', [
      '420000 湖北省 province -',
      '429000 仙桃地区 prefecture 420000',
      '429004 仙桃市 county 429000',
    ]);
    expect(diffDivisionTrees(flat, nested, new Map()).moved).toEqual([
      { code: '429004', name: '仙桃市', fromParent: '420000', toParent: '429000' },
    ]);
  });

  it('refuses to drop a division that still has schools, naming its code, name and school count', () => {
    const after = treeOf('new', [...gansu.filter((r) => !r.startsWith('622921')), '622931 临夏区 county 622900']);
    const changes = diffDivisionTrees(
      before,
      after,
      new Map([
        ['622921', 7],
        ['622901', 3],
      ]),
    );
    expect(changes.blocking).toEqual([
      {
        code: '622921',
        name: '临夏县',
        schools: 7,
        reason: 'removed',
        likelySuccessors: [expect.objectContaining({ code: '622931' })],
      },
    ]);
    expect(changes.refusal).toContain(
      '622921 临夏县 (7 schools) is not in the new reference; likely successor 622931 临夏区',
    );
    expect(changes.refusal).not.toContain('622901');
  });

  it('lets a division without schools go, and counts zero schools as none', () => {
    const after = treeOf(
      'new',
      gansu.filter((r) => !r.startsWith('622921')),
    );
    const changes = diffDivisionTrees(before, after, new Map([['622921', 0]]));
    expect(codes(changes.removed)).toEqual(['622921']);
    expect(changes.blocking).toEqual([]);
    expect(changes.refusal).toBeUndefined();
  });

  it('refuses when a county-less city with schools gains counties, since its schools would point above a county', () => {
    const after = treeOf('new', [...gansu, '620201 雄关区 county 620200']);
    const changes = diffDivisionTrees(before, after, new Map([['620200', 12]]));
    expect(changes.blocking).toEqual([
      { code: '620200', name: '嘉峪关市', schools: 12, reason: 'gained counties', likelySuccessors: [] },
    ]);
    expect(changes.refusal).toContain('620200 嘉峪关市 (12 schools) now has counties of its own');
    expect(diffDivisionTrees(before, after, new Map()).refusal).toBeUndefined();
  });

  it('refuses when schools point at a code the current tree lacks and the next one does not take schools at', () => {
    const after = treeOf('new', gansu);
    const changes = diffDivisionTrees(
      treeOf('old', gansu.slice(0, 2)),
      after,
      new Map([
        ['622900', 4],
        ['629999', 2],
        ['622921', 5],
      ]),
    );
    expect(changes.blocking.map((b) => [b.code, b.name, b.schools, b.reason])).toEqual([
      ['622900', '临夏回族自治州', 4, 'not a school unit'],
      ['629999', '', 2, 'not a school unit'],
    ]);
    expect(changes.refusal).toContain(
      '622900 临夏回族自治州 (4 schools) is not a county-level division of the new reference',
    );
    expect(changes.refusal).toContain('; 629999 (2 schools) is not a county-level division');
  });

  it('writes the report as lines, counts first', () => {
    const after = treeOf('new', [...gansu.filter((r) => !r.startsWith('622921')), '622922 康乐县 county 622900']);
    const lines = describeDivisionChanges(diffDivisionTrees(before, after, new Map([['622921', 2]])));
    expect(lines[0]).toBe('from "old" to "new": 1 added, 0 renamed, 0 moved, 1 removed');
    expect(lines).toContain('removed 622921 临夏县');
    expect(lines).toContain('added 622922 康乐县 (county under 622900)');
    expect(lines.at(-1)).toMatch(/^refused: .*622921 临夏县 \(2 schools\)/);
  });

  it('strips administrative suffixes to find a successor, but not down to nothing', () => {
    expect(['沙县', '沙县区', '祁阳县', '祁阳市', '东乡族自治县', '大兴安岭地区', '县'].map(nameStem)).toEqual([
      '沙',
      '沙',
      '祁阳',
      '祁阳',
      '东乡族',
      '大兴安岭',
      '县',
    ]);
  });
});
