import { and, asc, desc, eq, gte, inArray, lte, min, type SQL } from 'drizzle-orm';
import { tryJobLock } from '../db/dialect.ts';
import type { Store } from '../db/store.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { recomputeCoverage } from '../coverage/recompute.ts';
import { DAY_MS, endOfLocalDay, localDay } from '../../shared/time/china-time.ts';
import { inDivision } from '../divisions/containment.ts';

/*
 * Daily snapshots: every indicator per county and for the prefecture as of the end of each local day
 * (China Standard Time). Each is recomputed from raw evidence at that exact instant, so a day the
 * server was down is backfilled with the same figures it would have recorded live.
 */
const MAX_BACKFILL_DAYS = 400;
const ROWS_PER_INSERT = 500;

const nextDay = (day: string) => localDay(endOfLocalDay(day));

export interface SnapshotFigures {
  schools: {
    registered: number;
    connected: number;
    meetingStandard: number;
    declaredConnected: number;
    declarationConflicts: number;
  };
  classrooms: { registered: number; equipped: number; declaredEquipped: number };
  devices: { enrolled: number; live: number; atRisk: number; silent: number; never: number };
}

function emptyFigures(): SnapshotFigures {
  return {
    schools: { registered: 0, connected: 0, meetingStandard: 0, declaredConnected: 0, declarationConflicts: 0 },
    classrooms: { registered: 0, equipped: 0, declaredEquipped: 0 },
    devices: { enrolled: 0, live: 0, atRisk: 0, silent: 0, never: 0 },
  };
}

/** Figures for every division of the deployment's tree at one instant, from raw evidence. */
export async function figuresAt(store: Store, at: number): Promise<Map<string, SnapshotFigures>> {
  const tree = await deploymentTree(store);
  const byDivision = new Map<string, SnapshotFigures>();
  const add = (code: string) => byDivision.set(code, emptyFigures());
  add(tree.root.code);
  const visit = (code: string) => tree.children(code).forEach((d) => (add(d.code), visit(d.code)));
  visit(tree.root.code);
  for (const school of (await recomputeCoverage(store, at)).values()) {
    for (const code of [school.countyCode, ...tree.ancestors(school.countyCode).map((a) => a.code)]) {
      const f = byDivision.get(code);
      if (!f) continue;
      f.schools.registered++;
      f.schools.connected += Number(school.connected);
      f.schools.meetingStandard += Number(school.meetsStandard);
      f.schools.declaredConnected += Number(school.declaredConnected);
      f.schools.declarationConflicts += Number(school.declarationConflict);
      f.classrooms.registered += school.classroomsRegistered;
      f.classrooms.equipped += school.classroomsEquipped;
      f.classrooms.declaredEquipped += school.declaredEquippedClassrooms.size;
      f.devices.enrolled += school.deviceStates.size - school.devices.revoked;
      f.devices.live += school.devices.live;
      f.devices.atRisk += school.devices['at-risk'];
      f.devices.silent += school.devices.silent;
      f.devices.never += school.devices.never;
    }
  }
  return byDivision;
}

/**
 * Takes the snapshots of every finished local day not yet recorded: from the day after the last
 * snapshot (or the day the first school was registered) up to yesterday. Idempotent: a day already
 * recorded is never rewritten. Returns the days taken.
 */
export async function takeDailySnapshots(store: Store, now: number): Promise<string[]> {
  const { dailySnapshots, schools } = store.t;
  const yesterday = localDay(now - DAY_MS);
  const last = (
    await store.q.select({ day: dailySnapshots.day }).from(dailySnapshots).orderBy(desc(dailySnapshots.day)).limit(1)
  )[0]?.day;
  const firstSchool = (await store.q.select({ at: min(schools.createdAt) }).from(schools))[0]?.at;
  if (!last && (firstSchool === null || firstSchool === undefined)) return [];
  let day = last ? nextDay(last) : localDay(firstSchool!);
  const earliest = localDay(now - MAX_BACKFILL_DAYS * DAY_MS);
  if (day < earliest) day = earliest;
  const taken: string[] = [];
  for (; day <= yesterday; day = nextDay(day)) {
    // Recomputed outside any transaction: it reads a day of reports, and on SQLite a transaction holds the writer.
    const figures = await figuresAt(store, endOfLocalDay(day));
    const source = day === yesterday ? 'live' : 'backfill';
    // Servers sharing a database all run the schedule: one holding the lock is recording too, so this run stops.
    const recorded = await store.transaction(async (tx) => {
      if (!(await tryJobLock(tx, 'snapshots'))) return false;
      await recordDailySnapshot(tx, day, figures, source, now);
      return true;
    });
    if (!recorded) break;
    taken.push(day);
  }
  return taken;
}

/** Writes one day's figures per division, all or none; a division's day already recorded is kept as it was. */
export async function recordDailySnapshot(
  store: Store,
  day: string,
  figures: Map<string, SnapshotFigures>,
  source: 'live' | 'backfill',
  now: number,
): Promise<void> {
  const rows = [...figures].map(([divisionCode, f]) => ({ day, divisionCode, figures: f, source, createdAt: now }));
  // A country's tree is ~3,600 divisions: written in chunks, under either dialect's limit on parameters, in one
  // transaction, so a day is recorded whole or not at all (the next run starts after the last day recorded).
  await store.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
      await tx.q
        .insert(tx.t.dailySnapshots)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflictDoNothing();
  });
}

/** The recorded series for the given divisions (or every division within one) between two days (inclusive), oldest first. */
export async function readHistory(
  store: Store,
  filter: {
    divisionCodes: string[] | null;
    within?: string | null;
    from?: string | undefined;
    to?: string | undefined;
  },
) {
  const { dailySnapshots, divisions } = store.t;
  const where: (SQL | undefined)[] = [
    filter.divisionCodes ? inArray(dailySnapshots.divisionCode, filter.divisionCodes) : undefined,
    inDivision(dailySnapshots.divisionCode, filter.within ?? null),
    filter.from ? gte(dailySnapshots.day, filter.from) : undefined,
    filter.to ? lte(dailySnapshots.day, filter.to) : undefined,
  ];
  const rows = await store.q
    .select({
      day: dailySnapshots.day,
      divisionCode: dailySnapshots.divisionCode,
      name: divisions.name,
      source: dailySnapshots.source,
      figures: dailySnapshots.figures,
    })
    .from(dailySnapshots)
    .innerJoin(divisions, eq(divisions.code, dailySnapshots.divisionCode))
    .where(and(...where))
    .orderBy(asc(dailySnapshots.day), asc(dailySnapshots.divisionCode));
  return rows.map((r) => ({ ...r, figures: r.figures as SnapshotFigures }));
}

/** The prefecture's measured connected schools and equipped classrooms per recorded day, for the plan charts. */
export async function readPrefectureSeries(store: Store, prefectureCode: string) {
  const snapshots = await readHistory(store, { divisionCodes: [prefectureCode] });
  return {
    schools: snapshots.map((s) => ({ day: s.day, value: s.figures.schools.connected })),
    classrooms: snapshots.map((s) => ({ day: s.day, value: s.figures.classrooms.equipped })),
  };
}
