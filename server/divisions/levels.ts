/** The three levels of the GB/T 2260 tree santong tracks; the country above them is the virtual root. */
export type DivisionLevel = 'province' | 'prefecture' | 'county';

/** The code that stands for the whole country: a deployment root, never a row of the reference. */
export const COUNTRY_CODE = '000000';

/**
 * The level a six-digit code names by its shape (GB/T 2260: two digits province, two prefecture, two county):
 * XX0000 a province, XXXX00 a prefecture, anything else county-level. Undefined for the country or a non-code.
 */
export function levelOfCode(code: string): DivisionLevel | undefined {
  if (!/^\d{6}$/.test(code) || code === COUNTRY_CODE || code.startsWith('00')) return undefined;
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'prefecture';
  return 'county';
}

/** The province a code belongs to by its first two digits (XX0000). */
export function provinceCodeOf(code: string): string {
  return `${code.slice(0, 2)}0000`;
}

/** The prefecture a code belongs to by its first four digits (XXXX00). */
export function prefectureCodeOf(code: string): string {
  return `${code.slice(0, 4)}00`;
}
