import { describe, expect, it } from 'vitest';
import { levelOfCode } from '../../server/divisions/levels.ts';
import { rootChoice } from '../../server/divisions/root-choice.ts';
import { gansu, treeOf } from './small-trees.ts';

const codes = (list: readonly { code: string }[]) => list.map((d) => d.code);

const tree = treeOf('test', [
  ...gansu,
  '110000 北京市 province -',
  '110101 东城区 county 110000',
  '420000 湖北省 province -',
  '420100 武汉市 prefecture 420000',
  '420102 江岸区 county 420100',
  '429004 仙桃市 county 420000',
]);

describe('the division tree', () => {
  it('finds a division by code and says its level; unknown codes give nothing', () => {
    expect(tree.get('622921')).toEqual({
      code: '622921',
      name: '临夏县',
      level: 'county',
      parent: '622900',
      kind: 'division',
    });
    expect(tree.levelOf('620000')).toBe('province');
    expect(tree.levelOf('622900')).toBe('prefecture');
    expect(tree.levelOf('622999')).toBeUndefined();
    expect(tree.get('622999')).toBeUndefined();
  });

  it('lists children in code order; the country (000000) has the provinces', () => {
    expect(codes(tree.children('000000'))).toEqual(['110000', '420000', '620000']);
    expect(codes(tree.children('620000'))).toEqual(['620100', '620200', '622900']);
    expect(codes(tree.children('420000'))).toEqual(['420100', '429004']);
    expect(tree.children('622901')).toEqual([]);
  });

  it('walks ancestors from the parent up to the province', () => {
    expect(codes(tree.ancestors('622901'))).toEqual(['622900', '620000']);
    expect(codes(tree.ancestors('110101'))).toEqual(['110000']);
    expect(codes(tree.ancestors('620000'))).toEqual([]);
    expect(codes(tree.ancestors('999999'))).toEqual([]);
  });

  it('gives a subtree with parents before children, and the whole tree under 000000', () => {
    expect(codes(tree.subtree('622900'))).toEqual(['622900', '622901', '622921']);
    expect(codes(tree.subtree('620000'))).toEqual([
      '620000',
      '620100',
      '620102',
      '620171',
      '620200',
      '622900',
      '622901',
      '622921',
    ]);
    expect(tree.subtree('000000')).toHaveLength(tree.divisions.length);
    expect(tree.subtree('123456')).toEqual([]);
  });

  it('takes schools at county-level units and at a prefecture-level city without counties only', () => {
    expect(tree.isSchoolUnit('622921')).toBe(true);
    expect(tree.isSchoolUnit('620171')).toBe(true);
    expect(tree.isSchoolUnit('429004')).toBe(true);
    expect(tree.isSchoolUnit('620200')).toBe(true);
    expect(tree.isSchoolUnit('622900')).toBe(false);
    expect(tree.isSchoolUnit('620000')).toBe(false);
    expect(tree.isSchoolUnit('622999')).toBe(false);
  });

  it('reads the level from a code by its shape', () => {
    expect(['620000', '622900', '622926', '000000', '001000', '62290', 'abcdef'].map(levelOfCode)).toEqual([
      'province',
      'prefecture',
      'county',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('the deployment root', () => {
  it('accepts the country, a province or a prefecture', () => {
    expect(rootChoice(tree, '000000').root).toEqual({ code: '000000', name: '全国', level: 'country' });
    expect(rootChoice(tree, '620000').root).toEqual({ code: '620000', name: '甘肃省', level: 'province' });
    expect(rootChoice(tree, '622900').root).toEqual({ code: '622900', name: '临夏回族自治州', level: 'prefecture' });
  });

  it('refuses a county, an unknown code and a non-code, naming the code and what is valid', () => {
    const county = rootChoice(tree, '622921');
    expect(county.root).toBeUndefined();
    expect(county.error).toContain('622921 (临夏县) is a county');
    expect(county.error).toContain('000000 (the country), a province (XX0000) or a prefecture (XXXX00)');
    expect(rootChoice(tree, '630000').error).toMatch(/"630000": no province of that code is in the reference/);
    expect(rootChoice(tree, '62-900').error).toMatch(/"62-900": not a six-digit division code/);
  });
});
