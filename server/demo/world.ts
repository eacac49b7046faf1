import { linxiaCounties } from './linxia-counties.ts';
import { seededRandom } from './seeded-random.ts';

/*
 * The synthetic prefecture of `npm run demo`: Linxia's eight real counties with the bench's spread of
 * schools (linxia-counties.ts), 1,492 invented schools and 8,926 invented classrooms (the plan's totals),
 * every name ending in （演示） and every code starting with 99, so demo data can never be mistaken for,
 * or merged with, a real roster. Deterministic for a seed.
 */

/**
 * A classroom's display as its EDID describes it (agent/demo/classroom-displays.ts builds the bytes), with
 * its share of classrooms: mostly projectors and branded panels, some generic-scaler panels with a touch
 * frame, some TVs, a few desk monitors and rooms with nothing plugged in.
 */
const displayShares = {
  'epson-projector': 0.36,
  'benq-projector': 0.14,
  'seewo-panel': 0.2,
  'hitevision-panel': 0.1,
  'scaler-panel': 0.05,
  'scaler-panel-mstar': 0.03,
  tv: 0.05,
  monitor: 0.04,
  none: 0.03,
} as const;
export type DemoDisplay = keyof typeof displayShares;
export const demoDisplayProfiles = Object.keys(displayShares) as DemoDisplay[];
/** live: reports now; at-risk / silent: its last report is days / weeks old; none: never enrolled. */
export type DemoDeviceState = 'live' | 'at-risk' | 'silent' | 'none';

export type DemoClassroom = { code: string; device: DemoDeviceState; display: DemoDisplay; lastSeenDaysAgo: number };
export type DemoSchool = {
  code: string;
  name: string;
  countyCode: string;
  typeCode: string;
  urbanRuralCode: string;
  township: string;
  /** The school's internet link as its PCs will measure it; downMbps 0 when unconnected. */
  link: { reachable: boolean; downMbps: number };
  classrooms: DemoClassroom[];
};

export const DEMO_SUFFIX = '（演示）';

/**
 * How many days ago a PC that went quiet last reported, for u in [0, 1): at-risk 4–13 days (past the plan's
 * 3 live days), silent 20–45 (past its 14 at-risk days, some still inside the 30-day evidence window).
 */
export function quietDaysAgo(state: 'at-risk' | 'silent', u: number): number {
  return state === 'silent' ? 20 + 25 * u : 4 + 9 * u;
}

const remote = new Set(['622926', '622927']); // mountain counties: more unconnected and slower schools

/** GB/T 33782 type, its share of schools, ordinary classrooms (min–max) and a name. */
const types = [
  { code: '218', share: 0.28, rooms: [1, 2], name: (v: string) => `${v}教学点` },
  { code: '211', share: 0.5, rooms: [3, 7], name: (v: string, n: number) => `${v}第${n}小学` },
  { code: '311', share: 0.09, rooms: [8, 18], name: (v: string, n: number) => `${v}第${n}中学` },
  { code: '312', share: 0.06, rooms: [6, 12], name: (v: string) => `${v}九年制学校` },
  { code: '341', share: 0.03, rooms: [15, 24], name: (v: string) => `${v}完全中学` },
  { code: '342', share: 0.035, rooms: [15, 24], name: (v: string) => `${v}高级中学` },
  { code: '345', share: 0.005, rooms: [20, 30], name: (v: string) => `${v}十二年制学校` },
] as const;

const syllables = [
  '红',
  '青',
  '马',
  '杨',
  '刘',
  '王',
  '河',
  '山',
  '川',
  '新',
  '东',
  '西',
  '南',
  '北',
  '中',
  '石',
  '柳',
  '松',
];
const places = ['家', '台', '坪', '庄', '塬', '沟', '滩', '集', '湾', '岭'];

/** Builds the demo prefecture: `schools` schools (1,492) with classrooms in proportion (8,926 for all). */
export function demoWorld(o: { schools?: number; seed?: number } = {}): DemoSchool[] {
  const total = o.schools ?? 1492;
  const random = seededRandom(o.seed ?? 2015);
  const pick = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const result: DemoSchool[] = [];
  for (const { code: countyCode, schools: count } of linxiaCounties(total)) {
    for (let i = 1; i <= count; i++) {
      let r = random();
      const type = types.find((t) => (r -= t.share) < 0) ?? types[1];
      const village = `${syllables[pick(0, syllables.length - 1)]}${places[pick(0, places.length - 1)]}`;
      const township = `${village.slice(0, 1)}${places[pick(0, places.length - 1)]}${i % 4 === 0 ? '镇' : '乡'}`;
      const urbanRuralCode = urbanRural(countyCode, type.code, random);
      const rural = urbanRuralCode.startsWith('2');
      const unconnected = random() < 0.03 + (type.code === '218' ? 0.06 : 0) + (remote.has(countyCode) ? 0.03 : 0);
      // Below 80 Mbps (the 100 Mbps standard × 0.8 tolerance): rural links and teaching points more often.
      // Slow links stay below 80 and fast ones above it through the PCs' measurement noise (×0.85–1.05), so
      // whether a school meets the standard is settled by its first speed test, not by the luck of later ones.
      const slow = random() < 0.12 + (rural ? 0.1 : 0) + (type.code === '218' ? 0.1 : 0);
      const downMbps = unconnected ? 0 : slow ? 4 + Math.round(random() * 70) : 100 + Math.round(random() * 210);
      result.push({
        code: `99${countyCode.slice(2)}${String(i).padStart(4, '0')}`,
        name: `${type.name(village, (i % 9) + 1)}${DEMO_SUFFIX}`,
        countyCode,
        typeCode: type.code,
        urbanRuralCode,
        township: `${township}${DEMO_SUFFIX}`,
        link: { reachable: !unconnected, downMbps },
        classrooms: Array.from({ length: pick(type.rooms[0], type.rooms[1]) }, () => classroom(random)),
      });
    }
  }
  fitClassrooms(result, Math.round((8926 * result.length) / 1492), random);
  for (const school of result) school.classrooms.forEach((c, i) => (c.code = String(i + 1)));
  return result;
}

function urbanRural(countyCode: string, typeCode: string, random: () => number): string {
  const r = random();
  if (countyCode === '622901') return r < 0.6 ? '111' : r < 0.85 ? '112' : '220';
  if (typeCode === '218') return r < 0.9 ? '220' : '210';
  if (typeCode === '211') return r < 0.15 ? '121' : r < 0.5 ? '210' : '220';
  return r < 0.55 ? '121' : r < 0.65 ? '122' : '210';
}

function classroom(random: () => number): DemoClassroom {
  const d = random();
  const device: DemoDeviceState = d < 0.03 ? 'none' : d < 0.07 ? 'silent' : d < 0.1 ? 'at-risk' : 'live';
  let s = random();
  const display = demoDisplayProfiles.find((d) => (s -= displayShares[d]) < 0) ?? 'none';
  const quiet = device === 'silent' || device === 'at-risk';
  const lastSeenDaysAgo = quiet ? quietDaysAgo(device, random()) : 0;
  return { code: '', device, display, lastSeenDaysAgo };
}

/** Adds or removes classrooms of the larger schools until the total is exactly the target. */
function fitClassrooms(schools: DemoSchool[], target: number, random: () => number): void {
  let total = schools.reduce((sum, s) => sum + s.classrooms.length, 0);
  const big = schools.filter((s) => s.typeCode !== '218');
  const pool = big.length > 0 ? big : schools;
  while (total !== target) {
    const school = pool[Math.floor(random() * pool.length)]!;
    if (total < target) {
      school.classrooms.push(classroom(random));
      total++;
    } else if (school.classrooms.length > 1) {
      school.classrooms.pop();
      total--;
    }
  }
}
