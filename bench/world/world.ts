import type { PresentationKind } from '../../shared/schemas/report.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';
import { unit } from '../../server/demo/seeded-random.ts';
import { allocate, linxiaCounties } from '../../server/demo/linxia-counties.ts';
import { quietDaysAgo } from '../../server/demo/world.ts';
import type { Scale } from './scales.ts';

/*
 * The synthetic world: counties, schools, classrooms and PCs with their fates (live, at-risk, silent,
 * never reported), as plain facts. Shares of each are round figures chosen to look like a county ledger,
 * not measured anywhere.
 */

export interface County {
  code: string;
  name: string;
  schools: number;
}

/**
 * The county-level divisions of a scale with their school counts. The prefecture is Linxia's eight counties;
 * the nation is every school unit of the shipped national tree (`units`: the deployment tree's counties under
 * 000000, in code order), each given a weight of 0.4–1.6 fixed by its position, at least one school each (when there are enough).
 * No per-county or per-province school count was found in a public source we could cite (the MoE publishes
 * provincial totals by level of school only in yearbook tables), so a province's share of the country's
 * schools is, on average, its share of the country's county-level divisions: Henan's 181 units get ~6% of
 * the schools, Tibet's 78 ~2.6% (see bench/world/SOURCE.md).
 */
export function countiesOf(scale: Scale, units: readonly { code: string; name: string }[] = []): County[] {
  if (scale.counties === 'linxia') return linxiaCounties(scale.schools).map((c) => ({ ...c, name: c.code }));
  if (units.length === 0) throw new Error("the national world needs the shipped tree's county-level divisions");
  const sizes = allocate(
    scale.schools,
    units.map((_, c) => 0.4 + 1.2 * unit(c, 11)),
    // A world smaller than the tree (the harness's own tests) leaves some divisions without schools.
    scale.schools >= units.length ? 1 : 0,
  );
  return units.map((u, c) => ({ code: u.code, name: u.name, schools: sizes[c]! }));
}

const types: [string, number, number][] = [
  // GB/T 33782 type, share of schools, relative number of classrooms
  ['218', 0.2, 1],
  ['211', 0.55, 6],
  ['311', 0.12, 18],
  ['312', 0.06, 20],
  ['341', 0.03, 30],
  ['342', 0.04, 30],
];

/** A school's type code, fixed by its global index. */
export function schoolType(index: number): { typeCode: string; weight: number } {
  let u = unit(index, 13);
  for (const [typeCode, share, weight] of types) {
    if (u < share) return { typeCode, weight };
    u -= share;
  }
  return { typeCode: '211', weight: 6 };
}

/** Urban (1xx) for three schools in ten, the rest rural (2xx). */
export function urbanRural(index: number): string {
  const u = unit(index, 17);
  return u < 0.1 ? '111' : u < 0.3 ? '121' : u < 0.55 ? '210' : '220';
}

/** 4% of schools have no working link yet: their PCs report, but never reach the internet. */
export const schoolConnected = (index: number) => unit(index, 31) >= 0.04;

/** A school's line speed in Mbps, 30–250; below 80 (100 × 0.8 tolerance) misses Linxia's standard. */
export const schoolLineMbps = (index: number) => 30 + Math.round(220 * unit(index, 41));

export type Fate = 'live' | 'at-risk' | 'silent' | 'never';

/** What becomes of a PC: 85% report today, 5% went quiet days ago, 5% weeks ago, 5% never reported. */
export function deviceFate(device: number, now: number): { fate: Fate; lastBound: number | null } {
  const u = unit(device, 21);
  const v = unit(device, 23);
  if (u < 0.05) return { fate: 'never', lastBound: null };
  if (u < 0.1) return { fate: 'silent', lastBound: now - quietDaysAgo('silent', v) * DAY_MS };
  if (u < 0.15) return { fate: 'at-risk', lastBound: now - quietDaysAgo('at-risk', v) * DAY_MS };
  return { fate: 'live', lastBound: now };
}

/** Minutes after each slot at which a PC reports (agents jitter their schedule). */
export const deviceJitter = (device: number) => Math.floor(unit(device, 61) * 50 * 60_000);

/** The presentation display a classroom PC sees, if any (92%): projectors and panels mostly, some large displays. */
export function presentationDisplayOf(device: number, inClassroom: boolean): PresentationKind | null {
  if (!inClassroom) return null;
  const u = unit(device, 51);
  return u < 0.45 ? 'projector' : u < 0.8 ? 'interactive-panel' : u < 0.92 ? 'large-display' : null;
}

/** Seconds between collecting and the server receiving (the agent sends after collecting). */
export const deliveryDelay = (device: number, at: number) => 5_000 + Math.floor(unit(device, at % 104_729) * 55_000);
