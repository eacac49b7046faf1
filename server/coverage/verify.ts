import { integrityProblems } from '../db/dialect.ts';
import type { Store } from '../db/store.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { sweepExpired } from './evaluate.ts';
import { storedReasons } from './plausibility.ts';
import { recomputeCoverage, type RecomputedSchool } from './recompute.ts';

export interface VerifyResult {
  checked: { schools: number; classrooms: number; devices: number; divisions: number };
  differences: string[];
}

/** Equipped classrooms by presentation kind, named as the stored columns are. */
function equippedByKind(school: RecomputedSchool) {
  const kinds = [...school.equippedKinds.values()];
  return {
    classroomsEquippedProjector: kinds.filter((k) => k === 'projector').length,
    classroomsEquippedInteractivePanel: kinds.filter((k) => k === 'interactive-panel').length,
    classroomsEquippedLargeDisplay: kinds.filter((k) => k === 'large-display').length,
  };
}

const same = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) < 1e-9 : a === b;

/**
 * `santong verify`: brings time-driven figures up to `now` with the ordinary aging sweep, then compares
 * every stored status and rollup row with a from-scratch recomputation from raw reports, and runs the
 * database's own integrity check where it has one. Any difference means incremental maintenance went wrong.
 */
export async function verifyCoverage(store: Store, now: number): Promise<VerifyResult> {
  const differences: string[] = [];
  const integrity = await integrityProblems(store);
  if (integrity.length > 0) differences.push(`database integrity_check: ${integrity.join('; ')}`);
  await sweepExpired(store, now);
  // Not one transaction: on SQLite it would hold the write lock (and stop ingest) for the whole comparison.
  const { classroomStatus, deviceStatus, divisionRollups, schoolStatus, teacherSpaces } = store.t;
  const expected = await recomputeCoverage(store, now);
  const stored = new Map((await store.q.select().from(schoolStatus)).map((s) => [s.schoolCode, s]));
  // Declared, not measured: what each school's status row and every rollup must carry is what teacher_spaces holds.
  const declaredSpaces = new Map((await store.q.select().from(teacherSpaces)).map((t) => [t.schoolCode, t]));
  const counties = new Map<string, Record<string, number>>();
  const add = (county: string, key: string, n: number) => {
    const totals = counties.get(county) ?? {};
    totals[key] = (totals[key] ?? 0) + n;
    counties.set(county, totals);
  };

  for (const school of expected.values()) {
    const row = stored.get(school.code);
    if (!row) {
      differences.push(`school ${school.code}: no status row`);
      continue;
    }
    const byKind = equippedByKind(school);
    const spaces = declaredSpaces.get(school.code);
    const pairs: [string, unknown, unknown][] = [
      ['countyCode', row.countyCode, school.countyCode],
      ['connected', row.connected, school.connected],
      ['bandwidthMbps', row.bandwidthMbps, school.bandwidthMbps],
      ['bandwidthSource', row.bandwidthSource, school.bandwidthSource],
      ['flaggedSamples', row.flaggedSamples, school.flaggedSamples],
      ['flagReasons', row.flagReasons, storedReasons(school.flagReasons)],
      ['standardMbps', row.standardMbps, school.standardMbps],
      ['meetsStandard', row.meetsStandard, school.meetsStandard],
      ['declaredConnected', row.declaredConnected, school.declaredConnected],
      ['declarationConflict', row.declarationConflict, school.declarationConflict],
      ['classroomsDeclaredEquipped', row.classroomsDeclaredEquipped, school.declaredEquippedClassrooms.size],
      ['classroomsRegistered', row.classroomsRegistered, school.classroomsRegistered],
      ['classroomsEquipped', row.classroomsEquipped, school.classroomsEquipped],
      ...Object.entries(byKind).map(([field, n]): [string, unknown, unknown] => [
        field,
        row[field as keyof typeof byKind],
        n,
      ]),
      ['devicesEnrolled', row.devicesEnrolled, school.deviceStates.size - school.devices.revoked],
      ['devicesLive', row.devicesLive, school.devices.live],
      ['devicesAtRisk', row.devicesAtRisk, school.devices['at-risk']],
      ['devicesSilent', row.devicesSilent, school.devices.silent],
      ['devicesNever', row.devicesNever, school.devices.never],
      ['teachers', row.teachers, spaces?.teachers ?? null],
      ['teacherSpacesOpened', row.teacherSpacesOpened, spaces?.spacesOpened ?? null],
      ['teacherSpacesVerified', row.teacherSpacesVerified, spaces?.spacesVerified ?? null],
    ];
    for (const [field, got, want] of pairs)
      if (!same(got, want))
        differences.push(`school ${school.code} ${field}: stored ${String(got)}, recomputed ${String(want)}`);
    add(school.countyCode, 'schoolsRegistered', 1);
    add(school.countyCode, 'schoolsConnected', Number(school.connected));
    add(school.countyCode, 'schoolsMeetingStandard', Number(school.meetsStandard));
    add(school.countyCode, 'schoolsDeclaredConnected', Number(school.declaredConnected));
    add(school.countyCode, 'declarationConflicts', Number(school.declarationConflict));
    add(school.countyCode, 'classroomsDeclaredEquipped', school.declaredEquippedClassrooms.size);
    add(school.countyCode, 'classroomsRegistered', school.classroomsRegistered);
    add(school.countyCode, 'classroomsEquipped', school.classroomsEquipped);
    for (const [field, n] of Object.entries(byKind)) add(school.countyCode, field, n);
    add(school.countyCode, 'devicesEnrolled', school.deviceStates.size - school.devices.revoked);
    add(school.countyCode, 'devicesLive', school.devices.live);
    add(school.countyCode, 'devicesAtRisk', school.devices['at-risk']);
    add(school.countyCode, 'devicesSilent', school.devices.silent);
    add(school.countyCode, 'devicesNever', school.devices.never);
    add(school.countyCode, 'teachers', spaces?.teachers ?? 0);
    add(school.countyCode, 'teacherSpacesOpened', spaces?.spacesOpened ?? 0);
    add(school.countyCode, 'teacherSpacesVerified', spaces?.spacesVerified ?? 0);
    add(school.countyCode, 'schoolsDeclaringTeacherSpaces', Number(spaces !== undefined));
  }
  for (const code of stored.keys())
    if (!expected.has(code)) differences.push(`school ${code}: status row for a school not in the registry`);

  let classrooms = 0;
  for (const room of await store.q.select().from(classroomStatus)) {
    classrooms++;
    const school = expected.get(room.schoolCode);
    const want = school?.equippedClassrooms.has(room.classroomId) ?? false;
    if (room.equipped !== want)
      differences.push(
        `classroom ${room.classroomId} of ${room.schoolCode} equipped: stored ${room.equipped}, recomputed ${want}`,
      );
    const kind = school?.equippedKinds.get(room.classroomId) ?? null;
    if (room.equippedKind !== kind)
      differences.push(
        `classroom ${room.classroomId} of ${room.schoolCode} equippedKind: stored ${room.equippedKind}, recomputed ${kind}`,
      );
    const declared = school?.declaredEquippedClassrooms.has(room.classroomId) ?? false;
    if (room.declaredEquipped !== declared)
      differences.push(
        `classroom ${room.classroomId} of ${room.schoolCode} declaredEquipped: stored ${room.declaredEquipped}, recomputed ${declared}`,
      );
  }
  let devices = 0;
  for (const device of await store.q.select().from(deviceStatus)) {
    devices++;
    const want = expected.get(device.schoolCode)?.deviceStates.get(device.deviceId);
    if (device.state !== want)
      differences.push(`device ${device.deviceId} state: stored ${device.state}, recomputed ${String(want)}`);
    const bandwidth = expected.get(device.schoolCode)?.deviceBandwidths.get(device.deviceId);
    if (bandwidth) {
      const pairs: [string, unknown, unknown][] = [
        ['medianDownMbps', device.medianDownMbps, bandwidth.down],
        ['downSource', device.downSource, bandwidth.source],
        ['flaggedSamples', device.flaggedSamples, bandwidth.flagged],
      ];
      for (const [field, got, wanted] of pairs)
        if (!same(got, wanted))
          differences.push(`device ${device.deviceId} ${field}: stored ${String(got)}, recomputed ${String(wanted)}`);
    }
  }
  // Every division's expected figures: its schools' recomputed sums, added up the tree from the counties
  // (not from the stored rows below it), so a wrong row at any level shows as a difference of its own.
  const tree = await deploymentTree(store);
  const expectedOf = new Map<string, Record<string, number>>();
  for (const [county, totals] of counties) {
    for (const code of [county, ...tree.ancestors(county).map((a) => a.code)]) {
      const sum = expectedOf.get(code) ?? {};
      for (const [key, n] of Object.entries(totals)) sum[key] = (sum[key] ?? 0) + n;
      expectedOf.set(code, sum);
    }
  }
  const rollups = await store.q.select().from(divisionRollups);
  const storedCodes = new Set(rollups.map((r) => r.divisionCode));
  for (const rollup of rollups) {
    const want = expectedOf.get(rollup.divisionCode) ?? {};
    const level = tree.get(rollup.divisionCode)?.level ?? 'division';
    for (const [key, value] of Object.entries(rollup)) {
      if (key === 'divisionCode' || key === 'updatedAt') continue;
      if (value !== (want[key] ?? 0))
        differences.push(`${level} ${rollup.divisionCode} ${key}: stored ${value}, recomputed ${want[key] ?? 0}`);
    }
  }
  for (const code of expectedOf.keys())
    if (!storedCodes.has(code)) differences.push(`division ${code}: schools but no rollup row`);
  return { checked: { schools: expected.size, classrooms, devices, divisions: rollups.length }, differences };
}
