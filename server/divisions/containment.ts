import { and, eq, gte, lt, type Column, type SQL } from 'drizzle-orm';
import { COUNTRY_CODE } from './levels.ts';

/*
 * Which codes a division contains, by the shape of GB/T 2260 codes (decision 150): the country 000000 holds
 * every code, a province XX0000 every code starting XX, a prefecture XXXX00 every code starting XXXX, a county
 * only itself. Province-administered county-level cities (省直辖, e.g. 429004 仙桃) start with their province's
 * two digits, so the shape agrees with the deployment tree without reading it; scope checks stay pure.
 */

/** The digits every code inside the division starts with: '' for the country, 2 for a province, 4 for a prefecture. */
export function divisionPrefix(code: string): string {
  if (code === COUNTRY_CODE) return '';
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

/** Whether `outer` contains `code` (a division contains itself). */
export function divisionContains(outer: string, code: string): boolean {
  return code.startsWith(divisionPrefix(outer));
}

/**
 * The rows whose division column lies in `divisionCode` (null or 000000: no filter) as a range on the code,
 * `column >= prefix and column < prefix || ':'` (':' sorts right after '9'), so an index on the column serves it
 * in SQLite and PostgreSQL alike; a county is an equality.
 */
export function inDivision(column: Column, divisionCode: string | null): SQL | undefined {
  if (divisionCode === null) return undefined;
  const prefix = divisionPrefix(divisionCode);
  if (prefix === '') return undefined;
  if (prefix.length === 6) return eq(column, divisionCode);
  return and(gte(column, prefix), lt(column, `${prefix}:`));
}
