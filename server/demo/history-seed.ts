import type { Store } from '../db/store.ts';
import { figuresAt, recordDailySnapshot, type SnapshotFigures } from '../programme/history.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { currentPlan } from '../plan/current.ts';
import { DAY_MS, endOfLocalDay, localDay, startOfLocalYear } from '../../shared/time/china-time.ts';
import { seededRandom } from './seeded-random.ts';

/*
 * Years of daily snapshots for the demo: the programme as it would have been recorded from the plan's first
 * year to yesterday, ending at the figures the seeded evidence gives today. Evidence from 2015 cannot be
 * replayed (retention folds raw reports after months, the backfill goes back 400 days), so each county's
 * figures are today's scaled by a rollout curve and written through the snapshot writer; the prefecture's
 * row is the sum of its counties', as the live snapshots' are.
 */

/** Fraction of today's figure reached at a year boundary (fractional years in between are interpolated). */
type Curve = [year: number, fraction: number][];

// Connected schools follow the plan's 校校通 milestones (1,050 by the end of 2015, all by 2016) but level off
// below the target, where the PCs' evidence stands today. Equipped classrooms lag the plan's 2015–2017
// milestones the same way. Meeting 100 Mbps only took off with the 2019 联网攻坚.
const connected: Curve = [
  [2015, 0.52],
  [2016, 0.75],
  [2017, 0.93],
  [2018, 0.97],
  [2020, 0.99],
];
const equipped: Curve = [
  [2015, 0.6],
  [2016, 0.79],
  [2017, 0.9],
  [2018, 0.96],
  [2020, 0.99],
];
const standard: Curve = [
  [2015, 0.08],
  [2019, 0.3],
  [2020, 0.7],
  [2021, 0.92],
];

function along(curve: Curve, year: number, nowYear: number): number {
  const knots: Curve = [...curve, [nowYear, 1]];
  if (year <= knots[0]![0]) return knots[0]![1];
  for (let i = 1; i < knots.length; i++) {
    const [y1, f1] = knots[i]!;
    const [y0, f0] = knots[i - 1]!;
    if (year <= y1) return f0 + ((f1 - f0) * (year - y0)) / (y1 - y0);
  }
  return 1;
}

/** A county's figures on a day, from today's scaled by the rollout; `wobble` is the day's measurement noise. */
function scaled(today: SnapshotFigures, year: number, nowYear: number, wobble: number): SnapshotFigures {
  const c = Math.min(1, along(connected, year, nowYear) * wobble);
  const e = Math.min(1, along(equipped, year, nowYear) * wobble);
  const s = along(standard, year, nowYear);
  const r = (value: number, fraction: number) => Math.round(value * fraction);
  const connectedSchools = r(today.schools.connected, c);
  return {
    schools: {
      registered: today.schools.registered,
      connected: connectedSchools,
      meetingStandard: Math.min(connectedSchools, r(today.schools.meetingStandard, s)),
      declaredConnected: r(today.schools.declaredConnected, c),
      declarationConflicts: r(today.schools.declarationConflicts, c),
    },
    classrooms: {
      registered: today.classrooms.registered,
      equipped: r(today.classrooms.equipped, e),
      declaredEquipped: r(today.classrooms.declaredEquipped, e),
    },
    devices: {
      enrolled: r(today.devices.enrolled, e),
      live: r(today.devices.live, e),
      atRisk: r(today.devices.atRisk, e),
      silent: r(today.devices.silent, e),
      never: 0,
    },
  };
}

function sum(rows: SnapshotFigures[]): SnapshotFigures {
  const total = structuredClone(rows[0]!);
  for (const row of rows.slice(1))
    for (const group of ['schools', 'classrooms', 'devices'] as const)
      for (const [k, v] of Object.entries(row[group])) (total[group] as Record<string, number>)[k]! += v;
  return total;
}

/** Daily snapshots from 1 January of the plan's first year to yesterday, ending at today's figures; returns the days written. */
export async function seedHistory(store: Store, now: number): Promise<number> {
  const plan = await currentPlan(store);
  const today = await figuresAt(store, now);
  const counties = (await deploymentTree(store)).counties(plan.root.code);
  const random = seededRandom(2020);
  const yearLength = 365.25 * DAY_MS;
  const nowYear = 1970 + now / yearLength;
  const yesterday = localDay(now - DAY_MS);
  let days = 0;
  await store.transaction(async (tx) => {
    for (let day = localDay(startOfLocalYear(plan.startYear)); day <= yesterday; day = localDay(endOfLocalDay(day))) {
      const year = 1970 + endOfLocalDay(day) / yearLength;
      const countyFigures = counties.map((county) => {
        const wobble = 1 - random() * 0.006; // a PC off for the day, a link down for an afternoon
        return [county.code, scaled(today.get(county.code)!, year, nowYear, wobble)] as const;
      });
      const figures = new Map<string, SnapshotFigures>([
        [plan.root.code, sum(countyFigures.map(([, f]) => f))],
        ...countyFigures,
      ]);
      await recordDailySnapshot(tx, day, figures, 'backfill', now);
      days++;
    }
  });
  return days;
}
