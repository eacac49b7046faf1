import { and, asc, desc, eq, gte, inArray, lte, min, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { dailySnapshots, divisions, schools } from '../db/schema.ts';
import { recomputeCoverageOnConnection } from '../coverage/evaluate-on-connection.ts';
import { deploymentTreeOnConnection } from '../divisions/deployment-on-connection.ts';
import { DAY_MS, endOfLocalDay, localDay } from '../../shared/time/china-time.ts';
import { inDivision } from '../divisions/containment.ts';

/*
 * Daily snapshots: every indicator per county and for the prefecture as of the end of each local day
 * (China Standard Time). Each is recomputed from raw evidence at that exact instant, so a day the
 * server was down is backfilled with the same figures it would have recorded live.
 */
const MAX_BACKFILL_DAYS = 400;

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
export function figuresAt(db: Db, at: number): Map<string, SnapshotFigures> {
  const tree = deploymentTreeOnConnection(db);
  const byDivision = new Map<string, SnapshotFigures>();
  const add = (code: string) => byDivision.set(code, emptyFigures());
  add(tree.root.code);
  const visit = (code: string) => tree.children(code).forEach((d) => (add(d.code), visit(d.code)));
  visit(tree.root.code);
  for (const school of recomputeCoverageOnConnection(db, at).values()) {
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
export function takeDailySnapshots(db: Db, now: number): string[] {
  const yesterday = localDay(now - DAY_MS);
  const last = db
    .select({ day: dailySnapshots.day })
    .from(dailySnapshots)
    .orderBy(desc(dailySnapshots.day))
    .limit(1)
    .get()?.day;
  const firstSchool = db
    .select({ at: min(schools.createdAt) })
    .from(schools)
    .get()?.at;
  if (!last && (firstSchool === null || firstSchool === undefined)) return [];
  let day = last ? nextDay(last) : localDay(firstSchool!);
  const earliest = localDay(now - MAX_BACKFILL_DAYS * DAY_MS);
  if (day < earliest) day = earliest;
  const taken: string[] = [];
  for (; day <= yesterday; day = nextDay(day)) {
    recordDailySnapshot(db, day, figuresAt(db, endOfLocalDay(day)), day === yesterday ? 'live' : 'backfill', now);
    taken.push(day);
  }
  return taken;
}

/** Writes one day's figures per division in one statement; a division's day already recorded is kept as it was. */
export function recordDailySnapshot(
  db: Db,
  day: string,
  figures: Map<string, SnapshotFigures>,
  source: 'live' | 'backfill',
  now: number,
): void {
  const rows = [...figures].map(([divisionCode, f]) => ({ day, divisionCode, figures: f, source, createdAt: now }));
  if (rows.length > 0) db.insert(dailySnapshots).values(rows).onConflictDoNothing().run();
}

/** The recorded series for the given divisions (or every division within one) between two days (inclusive), oldest first. */
export function readHistory(
  db: Db,
  filter: {
    divisionCodes: string[] | null;
    within?: string | null;
    from?: string | undefined;
    to?: string | undefined;
  },
) {
  const where: (SQL | undefined)[] = [
    filter.divisionCodes ? inArray(dailySnapshots.divisionCode, filter.divisionCodes) : undefined,
    inDivision(dailySnapshots.divisionCode, filter.within ?? null),
    filter.from ? gte(dailySnapshots.day, filter.from) : undefined,
    filter.to ? lte(dailySnapshots.day, filter.to) : undefined,
  ];
  return db
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
    .orderBy(asc(dailySnapshots.day), asc(dailySnapshots.divisionCode))
    .all()
    .map((r) => ({ ...r, figures: r.figures as SnapshotFigures }));
}

/** The prefecture's measured connected schools and equipped classrooms per recorded day, for the plan charts. */
export function readPrefectureSeries(db: Db, prefectureCode: string) {
  const snapshots = readHistory(db, { divisionCodes: [prefectureCode] });
  return {
    schools: snapshots.map((s) => ({ day: s.day, value: s.figures.schools.connected })),
    classrooms: snapshots.map((s) => ({ day: s.day, value: s.figures.classrooms.equipped })),
  };
}
