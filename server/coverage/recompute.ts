import type { MeasurementSource, SampleFlag } from '../../shared/schemas/coverage.ts';
import type { CoverageRules } from '../../shared/schemas/plan.ts';
import type { Calendar } from './calendar.ts';
import { decodeReportBody } from '../db/report-body.ts';
import { rows, runSteps, type Steps } from '../db/steps.ts';
import { statement, type Store } from '../db/store.ts';
import { currentPlan } from '../plan/current.ts';
import { readCalendars } from './county-calendars.ts';
import type { PresentationKind, Report } from '../../shared/schemas/report.ts';
import { startOfLocalDay } from '../../shared/time/china-time.ts';
import { deviceBandwidth, PHYSICAL_CAP_MBPS } from './plausibility.ts';
import {
  bandwidthStandard,
  deviceState,
  evidenceWindowStart,
  laterPresentation,
  meetsStandard,
  type DeviceState,
  type PresentationEvidence,
} from './rules.ts';

/*
 * Coverage computed from scratch at an instant, straight from registry and raw reports, without the
 * stored status tables. Deliberately a second, simpler code path: `santong verify` compares it with
 * the incrementally maintained state, and history backfill uses it to compute a past day's figures.
 * It scans every report, so it is for checks and backfill, never for serving reads.
 */
export interface RecomputedSchool {
  code: string;
  countyCode: string;
  connected: boolean;
  bandwidthMbps: number | null;
  bandwidthSource: MeasurementSource | null;
  flaggedSamples: number;
  flagReasons: Set<string>;
  standardMbps: number | null;
  meetsStandard: boolean;
  declaredConnected: boolean;
  declarationConflict: boolean;
  classroomsRegistered: number;
  classroomsEquipped: number;
  declaredEquippedClassrooms: Set<number>;
  devices: Record<DeviceState, number>;
  equippedClassrooms: Set<number>;
  /** Each equipped classroom's presentation kind: that of its latest evidence in the window. */
  equippedKinds: Map<number, PresentationKind | null>;
  deviceStates: Map<string, DeviceState>;
  /** Each unrevoked device's bandwidth figure: whose it is and how many of its claims are flagged. */
  deviceBandwidths: Map<string, { down: number | null; source: MeasurementSource | null; flagged: number }>;
}

interface Sample {
  at: number;
  down: number;
  flag: SampleFlag | null;
}

interface DeviceEvidence {
  id: string;
  schoolCode: string;
  classroomId: number | null;
  revoked: number;
  lastCollectedAt: number | null;
  lastReachableAt: number | null;
  lastPresentationAt: number | null;
  lastPresentationKind: PresentationKind | null;
}

// Written for both dialects (decision 186): flags compared `= 1`, aliases quoted, booleans as 0/1 by `case`.
const schoolsAt = statement<
  { code: string; countyCode: string; typeCode: string; urbanRuralCode: string; rooms: number },
  [number]
>(
  `select s.code, s.county_code as "countyCode", s.type_code as "typeCode", s.urban_rural_code as "urbanRuralCode",
          (select count(*) from classrooms c where c.school_code = s.code) as "rooms"
   from schools s where s.created_at <= ?`,
);
// The kind of the latest presentation report; at the same instant, projector before panel before large display.
const devicesAt = statement<DeviceEvidence, [number, number, number]>(
  `select e.*, (select r.presentation_kind from reports r
               where r.device_id = e.id and r.collected_at = e."lastPresentationAt" and r.internet_reachable = 1
                 and r.presentation_display = 1
               order by case r.presentation_kind when 'projector' then 0 when 'interactive-panel' then 1 else 2 end
               limit 1) as "lastPresentationKind"
   from (
     select d.id, d.school_code as "schoolCode", d.classroom_id as "classroomId",
            case when d.revoked_at is not null and d.revoked_at <= ? then 1 else 0 end as "revoked",
            max(r.collected_at) as "lastCollectedAt",
            max(case when r.internet_reachable = 1 then r.collected_at end) as "lastReachableAt",
            max(case when r.internet_reachable = 1 and r.presentation_display = 1 then r.collected_at end)
              as "lastPresentationAt"
     from devices d left join reports r on r.device_id = d.id and r.collected_at <= ?
     where d.enrolled_at <= ?
     group by d.id) e`,
);
const claimsBetween = statement<
  { deviceId: string; at: number; down: number; body: Buffer | string },
  [number, number]
>(
  `select device_id as "deviceId", collected_at as "at", down_mbps as "down", body from reports
   where down_mbps is not null and collected_at >= ? and collected_at <= ?`,
);
const serverSamplesBetween = statement<{ deviceId: string; at: number; down: number }, [number, number]>(
  `select device_id as "deviceId", finished_at as "at", down_mbps as "down" from speedtests
   where down_mbps is not null and finished_at >= ? and finished_at <= ?`,
);
const declarationsAt = statement<
  { schoolCode: string; indicator: string; classroomId: number | null },
  [number, number]
>(
  `select school_code as "schoolCode", indicator, classroom_id as "classroomId" from declarations
   where declared_at <= ? and (withdrawn_at is null or withdrawn_at > ?)`,
);
type FoldedDay = {
  deviceId: string;
  day: string;
  lastCollectedAt: number;
  lastReachableAt: number | null;
  lastPresentationAt: number | null;
  lastPresentationKind: PresentationKind | null;
  /** JSON text on SQLite; PostgreSQL's jsonb arrives parsed. */
  downSamples: string | number[];
};
const foldedDaysBy = statement<FoldedDay, [number]>(
  `select device_id as "deviceId", day, last_collected_at as "lastCollectedAt", last_reachable_at as "lastReachableAt",
          last_presentation_at as "lastPresentationAt", last_presentation_kind as "lastPresentationKind",
          down_samples as "downSamples"
   from device_days where last_collected_at <= ?`,
);

/**
 * The PC's link as the report gave it, read again from its stored body: its fastest up, non-virtual interface,
 * unknown when any of them gives no speed (then any of them may have carried the test).
 */
function reportedLink(body: Buffer | string): number | null {
  const { interfaces } = (JSON.parse(decodeReportBody(body)) as Pick<Report, 'network'>).network;
  let fastest: number | null = null;
  for (const i of interfaces) {
    if (!i.up || i.type === 'virtual') continue;
    if (!i.speedMbps || i.speedMbps <= 0) return null;
    fastest = Math.max(fastest ?? 0, i.speedMbps);
  }
  return fastest;
}

/** Every school's figures at `at`, recomputed from raw evidence (reports collected after `at` are ignored). */
export async function recomputeCoverage(store: Store, at: number): Promise<Map<string, RecomputedSchool>> {
  return runSteps(store, recomputation((await currentPlan(store)).coverage, await readCalendars(store), at));
}

/** recomputeCoverage as steps (server/db/steps.ts), run on the store above. */
export function* recomputation(
  rules: CoverageRules,
  calendarOf: (countyCode: string) => Calendar,
  at: number,
): Steps<Map<string, RecomputedSchool>> {
  const windowStartOf = (countyCode: string) => evidenceWindowStart(rules, at, calendarOf(countyCode));
  const result = new Map<string, RecomputedSchool>();
  const schoolRows = yield* rows(schoolsAt, at);
  for (const s of schoolRows) {
    const standardMbps = bandwidthStandard(s, rules.bandwidth.standards);
    result.set(s.code, {
      code: s.code,
      countyCode: s.countyCode,
      connected: false,
      bandwidthMbps: null,
      bandwidthSource: null,
      flaggedSamples: 0,
      flagReasons: new Set(),
      standardMbps,
      meetsStandard: false,
      declaredConnected: false,
      declarationConflict: false,
      classroomsRegistered: s.rooms,
      classroomsEquipped: 0,
      declaredEquippedClassrooms: new Set(),
      devices: { never: 0, live: 0, 'at-risk': 0, silent: 0, revoked: 0 },
      equippedClassrooms: new Set(),
      equippedKinds: new Map(),
      deviceStates: new Map(),
      deviceBandwidths: new Map(),
    });
  }

  // A device revoked by `at` counts for nothing; revocation later than `at` did not exist yet then.
  const devices = yield* rows(devicesAt, at, at, at);
  // Only measurements inside some county's evidence window can count: read no older ones.
  const earliestWindow = Math.min(at, ...[...new Set(schoolRows.map((s) => s.countyCode))].map(windowStartOf));
  const samples = new Map<string, Sample[]>();
  const addSample = (deviceId: string, sample: Sample) => {
    if (sample.at < earliestWindow) return;
    const list = samples.get(deviceId);
    if (list) list.push(sample);
    else samples.set(deviceId, [sample]);
  };
  // The claim's flag is derived again from the report as received (its stored body), not read from the stored flag.
  for (const row of yield* rows(claimsBetween, earliestWindow, at)) {
    const link = reportedLink(row.body);
    const flag: SampleFlag | null =
      link !== null && row.down > link ? 'above-link' : row.down > PHYSICAL_CAP_MBPS ? 'above-cap' : null;
    addSample(row.deviceId, { at: row.at, down: row.down, flag });
  }
  foldedEvidence(yield* rows(foldedDaysBy, at), devices, addSample);
  const serverSamples = new Map<string, { at: number; down: number }[]>();
  for (const row of yield* rows(serverSamplesBetween, earliestWindow, at)) {
    const list = serverSamples.get(row.deviceId);
    if (list) list.push(row);
    else serverSamples.set(row.deviceId, [row]);
  }

  const reportedInWindow = new Set<string>();
  const classroomEvidence = new Map<number, PresentationEvidence>();
  for (const device of devices) {
    const school = result.get(device.schoolCode)!;
    const calendar = calendarOf(school.countyCode);
    const from = windowStartOf(school.countyCode);
    const state = deviceState(device.lastCollectedAt, Boolean(device.revoked), rules, at, calendar);
    school.devices[state]++;
    school.deviceStates.set(device.id, state);
    if (device.revoked) continue;
    if ((device.lastCollectedAt ?? -Infinity) >= from) reportedInWindow.add(school.code);
    if ((device.lastReachableAt ?? -Infinity) >= from) school.connected = true;
    if (device.lastPresentationAt !== null && device.lastPresentationAt >= from && device.classroomId !== null) {
      school.equippedClassrooms.add(device.classroomId);
      const evidence = laterPresentation(classroomEvidence.get(device.classroomId) ?? null, {
        at: device.lastPresentationAt,
        kind: device.lastPresentationKind,
      })!;
      classroomEvidence.set(device.classroomId, evidence);
      school.equippedKinds.set(device.classroomId, evidence.kind);
    }
    const bandwidth = deviceBandwidth(
      (samples.get(device.id) ?? []).filter((s) => s.at >= from),
      (serverSamples.get(device.id) ?? []).filter((s) => s.at >= from).map((s) => s.down),
    );
    school.deviceBandwidths.set(device.id, bandwidth);
    school.flaggedSamples += bandwidth.flagged;
    for (const reason of bandwidth.reasons) school.flagReasons.add(reason);
    const best = school.bandwidthMbps;
    if (
      bandwidth.down !== null &&
      (best === null || bandwidth.down > best || (bandwidth.down === best && bandwidth.source === 'server'))
    ) {
      school.bandwidthMbps = bandwidth.down;
      school.bandwidthSource = bandwidth.source;
    }
  }

  // Declarations in force at `at`: made by then and not withdrawn by then.
  for (const d of yield* rows(declarationsAt, at, at)) {
    const school = result.get(d.schoolCode);
    if (!school) continue;
    if (d.indicator === 'connected' && !school.connected) {
      school.declaredConnected = true;
      school.declarationConflict = reportedInWindow.has(school.code);
    }
    if (d.indicator === 'equipped' && d.classroomId !== null && !school.equippedClassrooms.has(d.classroomId))
      school.declaredEquippedClassrooms.add(d.classroomId);
  }
  for (const school of result.values()) {
    school.classroomsEquipped = school.equippedClassrooms.size;
    school.meetsStandard = meetsStandard(school.bandwidthMbps, school.standardMbps, rules);
  }
  return result;
}

/**
 * Adds what retention folded into device_days (whole local days ended by `at`): the latest instants
 * per device, and each day's measurements dated at the day's start. Exact at day boundaries, the only
 * instants asked about once raw reports are gone.
 */
function foldedEvidence(
  days: readonly FoldedDay[],
  devices: DeviceEvidence[],
  addSample: (deviceId: string, s: Sample) => void,
): void {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const later = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  for (const folded of days) {
    const device = byId.get(folded.deviceId);
    if (!device) continue;
    device.lastCollectedAt = later(device.lastCollectedAt, folded.lastCollectedAt);
    device.lastReachableAt = later(device.lastReachableAt, folded.lastReachableAt);
    const presentation = laterPresentation(
      device.lastPresentationAt === null ? null : { at: device.lastPresentationAt, kind: device.lastPresentationKind },
      folded.lastPresentationAt === null ? null : { at: folded.lastPresentationAt, kind: folded.lastPresentationKind },
    );
    device.lastPresentationAt = presentation?.at ?? null;
    device.lastPresentationKind = presentation?.kind ?? null;
    const dayStart = startOfLocalDay(folded.day);
    // Retention folds only the claims that counted (flagged ones are not kept past it).
    const downs =
      typeof folded.downSamples === 'string' ? (JSON.parse(folded.downSamples) as number[]) : folded.downSamples;
    for (const down of downs) addSample(folded.deviceId, { at: dayStart, down, flag: null });
  }
}
