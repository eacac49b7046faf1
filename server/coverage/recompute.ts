import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { currentPlan } from '../plan/current.ts';
import { bandwidthStandard, deviceState, evidenceWindowStart, median, meetsStandard, type DeviceState } from './rules.ts';

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
  standardMbps: number | null;
  meetsStandard: boolean;
  classroomsRegistered: number;
  classroomsEquipped: number;
  devices: Record<DeviceState, number>;
  equippedClassrooms: Set<number>;
  deviceStates: Map<string, DeviceState>;
}

interface DeviceEvidence {
  id: string;
  schoolCode: string;
  classroomId: number | null;
  revoked: number;
  lastCollectedAt: number | null;
  reachableInWindow: number;
  presentationInWindow: number;
}

/** Every school's figures at `at`, recomputed from raw evidence (reports collected after `at` are ignored). */
export function recomputeCoverage(db: Db, at: number): Map<string, RecomputedSchool> {
  const rules = currentPlan(db).coverage;
  const from = evidenceWindowStart(rules, at);
  const result = new Map<string, RecomputedSchool>();
  const schoolRows = db.all<{ code: string; countyCode: string; typeCode: string; urbanRuralCode: string; rooms: number }>(sql`
    select s.code, s.county_code as countyCode, s.type_code as typeCode, s.urban_rural_code as urbanRuralCode,
           (select count(*) from classrooms c where c.school_code = s.code) as rooms
    from schools s`);
  for (const s of schoolRows) {
    const standardMbps = bandwidthStandard(s, rules.bandwidth.standards);
    result.set(s.code, {
      code: s.code,
      countyCode: s.countyCode,
      connected: false,
      bandwidthMbps: null,
      standardMbps,
      meetsStandard: false,
      classroomsRegistered: s.rooms,
      classroomsEquipped: 0,
      devices: { never: 0, live: 0, 'at-risk': 0, silent: 0, revoked: 0 },
      equippedClassrooms: new Set(),
      deviceStates: new Map(),
    });
  }

  // A device revoked by `at` counts for nothing; revocation later than `at` did not exist yet then.
  const devices = db.all<DeviceEvidence>(sql`
    select d.id, d.school_code as schoolCode, d.classroom_id as classroomId,
           (d.revoked_at is not null and d.revoked_at <= ${at}) as revoked,
           max(r.collected_at) as lastCollectedAt,
           max(r.internet_reachable and r.collected_at >= ${from}) as reachableInWindow,
           max(r.internet_reachable and r.presentation_display and r.collected_at >= ${from}) as presentationInWindow
    from devices d left join reports r on r.device_id = d.id and r.collected_at <= ${at}
    where d.enrolled_at <= ${at}
    group by d.id`);
  const samples = new Map<string, number[]>();
  for (const row of db.all<{ deviceId: string; down: number }>(sql`
    select device_id as deviceId, down_mbps as down from reports
    where down_mbps is not null and collected_at >= ${from} and collected_at <= ${at}`)) {
    samples.set(row.deviceId, [...(samples.get(row.deviceId) ?? []), row.down]);
  }

  for (const device of devices) {
    const school = result.get(device.schoolCode)!;
    const state = deviceState(device.lastCollectedAt, Boolean(device.revoked), rules, at);
    school.devices[state]++;
    school.deviceStates.set(device.id, state);
    if (device.revoked) continue;
    if (device.reachableInWindow) school.connected = true;
    if (device.presentationInWindow && device.classroomId !== null) school.equippedClassrooms.add(device.classroomId);
    const deviceMedian = median(samples.get(device.id) ?? []);
    if (deviceMedian !== null) school.bandwidthMbps = Math.max(school.bandwidthMbps ?? 0, deviceMedian);
  }
  for (const school of result.values()) {
    school.classroomsEquipped = school.equippedClassrooms.size;
    school.meetsStandard = meetsStandard(school.bandwidthMbps, school.standardMbps, rules);
  }
  return result;
}
