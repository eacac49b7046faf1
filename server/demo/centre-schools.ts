import type { DemoSchool } from './world.ts';

/**
 * Each school's centre school (中心校): every dozen schools of a county in roster order form a school
 * district whose first primary or nine-year school oversees the rest (about 125 in the prefecture, as
 * many as it has townships). Maps every school of a district to its centre's code.
 */
export function centreSchools(world: DemoSchool[]): Map<string, string> {
  const centres = new Map<string, string>();
  for (const countyCode of new Set(world.map((s) => s.countyCode))) {
    const county = world.filter((s) => s.countyCode === countyCode);
    for (let i = 0; i < county.length; i += 12) {
      const district = county.slice(i, i + 12);
      const centre = district.find((s) => s.typeCode === '211' || s.typeCode === '312') ?? district[0]!;
      for (const s of district) centres.set(s.code, centre.code);
    }
  }
  return centres;
}
