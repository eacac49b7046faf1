import { gzipSync } from 'node:zlib';
import type { ProgrammeCoverage } from '../../shared/schemas/programme-coverage.ts';
import { readCoverage, type CountyRows } from '../coverage/read.ts';
import { readCachedAnswer } from '../db/read-cache.ts';
import { statement, type Store } from '../db/store.ts';
import { currentPlan } from '../plan/current.ts';
import { progressOf } from '../plan/milestones.ts';
import { readPlatformCoverage } from './platforms.ts';
import { teacherSpacesOf } from './teacher-spaces.ts';

/*
 * The programme figures are assembled here once, for the API, the dashboard's overview and the public
 * disclosure alike: the measured coverage, and beside it the declared parts (teacher spaces with progress
 * against the plan, the two platforms declared built vs probed reachable).
 */

/** The programme figures for a scope (null: the prefecture) as of `now`, with the given page of county rows. */
export async function readProgrammeFigures(
  store: Store,
  countyScope: string | null,
  now: number,
  rows: CountyRows = 'all',
): Promise<ProgrammeCoverage> {
  const coverage = await readCoverage(store, countyScope, now, rows);
  // The same county rows as the coverage beside them; the totals cover the whole scope.
  const teacherSpaces = await teacherSpacesOf(store, countyScope, coverage.counties);
  const indicator = (await currentPlan(store)).indicators.teacherSpaces;
  // The prefecture is held to the plan's target even when not every school has declared its teachers yet.
  const teachers =
    countyScope === null ? Math.max(teacherSpaces.teachers, indicator.target ?? 0) : teacherSpaces.teachers;
  return {
    ...coverage,
    teacherSpaces: {
      ...teacherSpaces,
      progress: progressOf(indicator, teacherSpaces.opened, teachers, now),
    },
    platforms: await readPlatformCoverage(store, countyScope, now),
  };
}

/*
 * The API's top read is asked far more often than its figures change (dashboards and reports polling the same
 * division). Its serialised answer is kept per read-model version, which every figure it is built from moves
 * (decision 041), so a repeated read is one lookup of the version plus a socket write. An answer is as of the
 * instant it was built (its asOf): readCoverage's sweep brought the figures that age by time alone to that instant,
 * and any figure it changed moved the version the answer is kept under.
 * It is reused for at most ANSWER_REUSE_MS after it, so asOf, progress interpolated within the year and a probe's
 * freshness lag the clock by less than that, and never for a read at an earlier instant (decision 163). Nor past
 * the next instant at which some school's figures change by time alone (its evidence leaving the window, a PC
 * going silent: school_status.next_change_at): the counts stay exact to the millisecond.
 */
const ANSWER_REUSE_MS = 1000;
const nextAging = statement<{ at: number | null }, []>('select min(next_change_at) as "at" from school_status');
const utf8 = new TextEncoder();

/** zlib's default: at most one compression per kept answer, so the smaller bytes matter more than the time. */
const GZIP_LEVEL = 6;

/** A kept top-read answer: its JSON bytes, and their gzip made on the first read that accepts it (decision 194). */
interface KeptAnswer {
  builtAt: number;
  goodUntil: number;
  json: Uint8Array<ArrayBuffer>;
  gzip?: Uint8Array<ArrayBuffer>;
}

function keptAnswer(store: Store, countyScope: string | null, now: number, rows: CountyRows): Promise<KeptAnswer> {
  const asked = rows === 'all' ? 'all' : `${rows.page}:${rows.pageSize}:${rows.counties ?? 'unasked'}`;
  return readCachedAnswer(
    store,
    `programme-json:${countyScope ?? 'root'}:${asked}`,
    (answer: KeptAnswer) => now >= answer.builtAt && now < answer.goodUntil,
    async (): Promise<KeptAnswer> => {
      const json = utf8.encode(JSON.stringify(await readProgrammeFigures(store, countyScope, now, rows)));
      const aging = (await store.row(nextAging))?.at ?? Infinity;
      return { builtAt: now, goodUntil: Math.min(now + ANSWER_REUSE_MS, aging), json };
    },
  );
}

/**
 * The programme figures of `readProgrammeFigures` as the API sends them: the JSON text's UTF-8 bytes, so a repeated
 * read neither serialises nor encodes. Reused as said above; callers must not change the bytes.
 */
export async function programmeFiguresJson(
  store: Store,
  countyScope: string | null,
  now: number,
  rows: CountyRows,
): Promise<Uint8Array<ArrayBuffer>> {
  return (await keptAnswer(store, countyScope, now, rows)).json;
}

/**
 * The same bytes gzipped, for a client that accepts gzip: compressed once per kept answer (the 20 KiB national
 * answer to about 3 KiB), so a repeated read sends a sixth of the bytes and compresses nothing.
 */
export async function programmeFiguresGzip(
  store: Store,
  countyScope: string | null,
  now: number,
  rows: CountyRows,
): Promise<Uint8Array<ArrayBuffer>> {
  const answer = await keptAnswer(store, countyScope, now, rows);
  answer.gzip ??= new Uint8Array(gzipSync(answer.json, { level: GZIP_LEVEL }));
  return answer.gzip;
}
