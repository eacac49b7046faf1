import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CoverageRules } from '../../shared/schemas/plan.ts';
import { hashSecret } from '../../server/access/secrets.ts';
import { alwaysOpen } from '../../server/coverage/calendar.ts';
import { evidenceExpiry, evidenceWindowStart } from '../../server/coverage/rules.ts';
import {
  noEvidence,
  schoolFigures,
  throughputOf,
  toStored,
  withReport,
  type DeviceEvidence,
} from '../../server/coverage/school-figures.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';
import { encodeReportBody } from '../../server/db/report-body.ts';
import { encodeReportId } from '../../server/db/report-id.ts';
import { AGENT_VERSION, deviceId, deviceKey, isSpeedTestSlot, reportJson, stableUuid } from './synthetic.ts';
import { hash32, unit } from '../../server/demo/seeded-random.ts';
import {
  deliveryDelay,
  deviceFate,
  deviceJitter,
  presentationDisplayOf,
  schoolConnected,
  schoolLineMbps,
} from './world.ts';

/*
 * Writes one synthetic school with prepared statements: the school, its classrooms, its PCs with their
 * reports, and the status rows the server would have derived: the same pure function the server runs
 * (server/coverage/school-figures.ts), fed without a query per device, so the national world takes minutes, not
 * hours. No closures: always open. test/bench/harness.test.ts holds the rows to evaluateSchools and verify.
 */
export interface SchoolPlan {
  index: number;
  code: string;
  countyCode: string;
  typeCode: string;
  urbanRuralCode: string;
  classrooms: number;
  officeDevices: number;
  /** Full history (every school-hour slot in the history window) or only each PC's latest report. */
  fullHistory: boolean;
}

export interface WorldCursor {
  nextClassroomId: number;
  nextDevice: number;
  reports: number;
}

export interface GenerationContext {
  seed: number;
  now: number;
  historyStart: number;
  rules: CoverageRules;
  /** Every school-hour slot since long before the history window, ascending. */
  slots: number[];
}

const SQL = {
  school:
    'insert into schools (code, name, county_code, township, type_code, urban_rural_code, class_count, centre_school_code, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, null, ?, ?)',
  classroom: 'insert into classrooms (id, school_code, code, name) values (?, ?, ?, ?)',
  device:
    'insert into devices (id, school_code, classroom_id, hostname, key_hash, hardware_uuid, hardware_serial, enrolled_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
  report:
    'insert into reports (id, device_id, collected_at, received_at, collected_at_clamped, schema_version, agent_version, internet_reachable, latency_ms, down_mbps, up_mbps, presentation_display, presentation_kind, body) values (?, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?, ?, ?, ?)',
  deviceStatus:
    'insert into device_status (device_id, school_code, last_collected_at, last_received_at, last_reachable_at, last_presentation_at, last_presentation_kind, agent_version, median_down_mbps, down_source, median_up_mbps, throughput_samples, state) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  classroomStatus:
    'insert into classroom_status (classroom_id, school_code, equipped, last_evidence_at, equipped_kind, declared_equipped) values (?, ?, ?, ?, ?, 0)',
  schoolStatus:
    'insert into school_status (school_code, county_code, connected, last_reachable_at, bandwidth_mbps, bandwidth_source, standard_mbps, meets_standard, declared_connected, declaration_conflict, classrooms_registered, classrooms_equipped, classrooms_equipped_projector, classrooms_equipped_interactive_panel, classrooms_equipped_large_display, classrooms_declared_equipped, devices_enrolled, devices_live, devices_at_risk, devices_silent, devices_never, evaluated_at, next_change_at) values (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)',
};

export type Statements = Record<keyof typeof SQL, Database.Statement>;

/** Prepares the generator's insert statements once. */
export function prepareStatements(sqlite: Database.Database): Statements {
  return Object.fromEntries(Object.entries(SQL).map(([k, v]) => [k, sqlite.prepare(v)])) as Statements;
}

/** Index of the last element ≤ x in an ascending array, or -1. */
function lastAtOrBefore(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** One PC as written: the evidence the server keeps in device_status, and its speed tests, oldest first. */
interface WrittenDevice {
  classroomId: number | null;
  evidence: DeviceEvidence;
  lastReceivedAt: number | null;
  /** The world's claims are all plausible (below each PC's 1000 Mbps link), as ingest would judge them. */
  samples: { at: number; down: number; up: number | null; flag: null }[];
}

/** Inserts one PC's reports and returns what the server would keep of them. */
function writeReports(
  st: Statements,
  ctx: GenerationContext,
  school: SchoolPlan,
  device: number,
  id: string,
  classroomId: number | null,
  cursor: WorldCursor,
) {
  const written: WrittenDevice = { classroomId, evidence: noEvidence, lastReceivedAt: null, samples: [] };
  const { lastBound } = deviceFate(device, ctx.now);
  if (lastBound === null) return written;
  const jitter = deviceJitter(device);
  const last = lastAtOrBefore(ctx.slots, lastBound - jitter);
  if (last < 0) return written;
  const first = school.fullHistory ? Math.min(last, lastAtOrBefore(ctx.slots, ctx.historyStart - 1) + 1) : last;
  const presentation = presentationDisplayOf(device, classroomId !== null);
  const connected = schoolConnected(school.index);
  for (let k = first; k <= last; k++) {
    const slot = ctx.slots[k]!;
    const at = slot + jitter;
    const reachable = connected && unit(device, slot % 1_000_003) >= 0.02;
    const speedTest = reachable && (school.fullHistory ? isSpeedTestSlot(slot) : device % 3 === 0);
    const down = speedTest ? round1(schoolLineMbps(school.index) * (0.7 + 0.5 * unit(device, slot % 999_983))) : null;
    const up = down === null ? null : round1(down * 0.3);
    const latencyMs = reachable ? 18 + (hash32(device, slot % 1_000_033) % 40) : null;
    const receivedAt = Math.min(ctx.now, at + deliveryDelay(device, slot));
    const reportId = randomUUID();
    const body = encodeReportBody(
      reportJson({
        id: reportId,
        collectedAt: at,
        reachable,
        latencyMs,
        downMbps: down,
        upMbps: up,
        presentation,
        deviceIndex: device,
      }),
    );
    st.report.run(
      encodeReportId(reportId),
      id,
      at,
      receivedAt,
      AGENT_VERSION,
      reachable ? 1 : 0,
      latencyMs,
      down,
      up,
      presentation ? 1 : 0,
      presentation,
      body,
    );
    cursor.reports++;
    written.evidence = withReport(written.evidence, { collectedAt: at, online: reachable, presenting: presentation });
    written.lastReceivedAt = receivedAt;
    if (down !== null) written.samples.push({ at, down, up, flag: null });
  }
  return written;
}

/** Writes a school with its classrooms, PCs, reports and derived status (the rollups are summed from it afterwards). */
export function writeSchool(st: Statements, ctx: GenerationContext, school: SchoolPlan, cursor: WorldCursor): void {
  const { code } = school;
  const { now } = ctx;
  st.school.run(
    code,
    `合成学校${code}`,
    school.countyCode,
    `乡镇${school.index % 15}`,
    school.typeCode,
    school.urbanRuralCode,
    school.classrooms,
    now,
    now,
  );
  const classroomIds: number[] = [];
  for (let c = 1; c <= school.classrooms; c++) {
    const classroomId = cursor.nextClassroomId++;
    st.classroom.run(classroomId, code, String(c), `${c}号教室`);
    classroomIds.push(classroomId);
  }
  const devices: { id: string; written: WrittenDevice }[] = [];
  const pcs = [...classroomIds, ...Array.from({ length: school.officeDevices }, () => null)];
  for (const classroomId of pcs) {
    const device = cursor.nextDevice++;
    const id = deviceId(ctx.seed, device);
    st.device.run(
      id,
      code,
      classroomId,
      `PC-${device}`,
      hashSecret(deviceKey(ctx.seed, device)),
      stableUuid(device, 101),
      `SN${hash32(device, 103).toString(36).toUpperCase()}`,
      now - 60 * DAY_MS,
    );
    devices.push({ id, written: writeReports(st, ctx, school, device, id, classroomId, cursor) });
  }
  const judge = { rules: ctx.rules, calendar: alwaysOpen, now };
  const windowStart = evidenceWindowStart(ctx.rules, now, alwaysOpen);
  const changes: number[] = [];
  const figures = schoolFigures(
    {
      school,
      devices: devices.map(({ id, written }) => {
        const samples = written.samples.filter((s) => s.at >= windowStart && s.at <= now);
        if (samples[0]) changes.push(evidenceExpiry(samples[0].at, ctx.rules, alwaysOpen));
        const throughput = throughputOf(samples, []);
        return { id, classroomId: written.classroomId, revoked: false, evidence: written.evidence, throughput };
      }),
      classroomIds,
      declarations: [],
      changes,
    },
    judge,
  );
  devices.forEach(({ id, written }, i) => {
    const { state, throughput: t } = figures.devices[i]!;
    const e = toStored(written.evidence);
    st.deviceStatus.run(
      id,
      code,
      e.lastCollectedAt,
      written.lastReceivedAt,
      e.lastReachableAt,
      e.lastPresentationAt,
      e.lastPresentationKind,
      e.lastCollectedAt === null ? null : AGENT_VERSION,
      t.down,
      t.source,
      t.up,
      t.samples,
      state,
    );
  });
  for (const { id, evidence } of figures.classrooms)
    st.classroomStatus.run(id, code, evidence === null ? 0 : 1, evidence?.at ?? null, evidence?.kind ?? null);
  const c = figures.devicesBy;
  st.schoolStatus.run(
    code,
    school.countyCode,
    figures.connected ? 1 : 0,
    figures.lastReachableAt,
    figures.bandwidthMbps,
    figures.bandwidthSource,
    figures.standardMbps,
    figures.meetsStandard ? 1 : 0,
    school.classrooms,
    figures.classroomsEquipped,
    figures.equippedBy.projector,
    figures.equippedBy['interactive-panel'],
    figures.equippedBy['large-display'],
    figures.devicesEnrolled,
    c.live,
    c['at-risk'],
    c.silent,
    c.never,
    now,
    figures.nextChangeAt,
  );
}
