import { sql } from 'drizzle-orm';
import { divisionLevels } from '../../shared/schemas/division-code.ts';
import { presentationDisplayKinds } from '../../shared/schemas/report.ts';
import { reportBodyColumn } from './report-body.ts';
import { reportIdColumn } from './report-id.ts';
import {
  bigint,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/*
 * The PostgreSQL twin of schema.ts (decision 120): the same tables, columns, keys and indexes, in
 * PostgreSQL's natural types. schema.ts stays the one place that says what each column means; this
 * file only says how PostgreSQL stores it. test/db/schema-parity.test.ts fails when the two drift.
 *
 * Type mapping (decision 120):
 *   integer epoch milliseconds, row ids and counters that grow without bound → bigint (mode 'number')
 *   small counts → integer;  real → double precision;  blob → bytea;  JSON text → jsonb
 *   0/1 flags (SQLite's boolean mode) → integer 0/1, read as boolean, so raw SQL such as
 *   `sum(connected)` means the same in both dialects
 */

/** Epoch milliseconds (UTC), as in schema.ts; past 2^31 since 1970, so 64-bit. */
const epochMs = (name: string) => bigint(name, { mode: 'number' });

/** A 64-bit id like SQLite's rowid; by default, so rows copied with their ids (a move from SQLite) keep them. */
const rowId = (name: string) => bigint(name, { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity();

/** A reference to a rowId column. */
const rowRef = (name: string) => bigint(name, { mode: 'number' });

/** A yes/no stored as 0/1, exactly as SQLite stores it, and read as a boolean as drizzle's sqlite mode does. */
const flag = customType<{ data: boolean; driverData: number }>({
  dataType: () => 'integer',
  toDriver: (value) => (value ? 1 : 0),
  fromDriver: (value) => Number(value) === 1,
});

/** Raw bytes (an agent bundle). */
const bytes = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
/** As on SQLite: the report id's 16 bytes (server/db/report-id.ts). */
const storedReportId = customType<{ data: string; driverData: Buffer | string; notNull: true }>({
  dataType: () => 'bytea',
  ...reportIdColumn,
});
/** As on SQLite: the report deflated with a dictionary (server/db/report-body.ts, decision 181). */
const storedReportBody = customType<{ data: unknown; driverData: Buffer | string; notNull: true }>({
  dataType: () => 'bytea',
  ...reportBodyColumn,
});

/** A flag's default of false, written as 0: drizzle would write `false`, which an integer column refuses. */
const unset = sql`0`;

// ── Registry ────────────────────────────────────────────────────────────────────────────────────

export const divisions = pgTable(
  'divisions',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    pinyin: text('pinyin'),
    level: text('level', { enum: divisionLevels }).notNull(),
    /** Null for the deployment's root; every other division's parent is in the table. */
    parentCode: text('parent_code'),
  },
  (t) => [index('divisions_parent').on(t.parentCode, t.code)],
);

/**
 * The deployment's root division, stored at first use (decision 141): the country (000000), a province
 * or a prefecture, and the edition of the division reference its tree was loaded from. One row.
 */
export const deployment = pgTable('deployment', {
  id: integer('id').primaryKey(),
  rootCode: text('root_code').notNull(),
  referenceEdition: text('reference_edition').notNull(),
  chosenAt: epochMs('chosen_at').notNull(),
  /** Moved by triggers on every change to `divisions` (migration 0020), so a process knows when its in-memory tree is stale. */
  treeVersion: integer('tree_version').notNull().default(0),
});

export const plans = pgTable('plans', {
  id: rowId('id'),
  document: jsonb('document').notNull(),
  importedAt: epochMs('imported_at').notNull(),
  source: text('source').notNull(),
});

export const schools = pgTable(
  'schools',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    countyCode: text('county_code')
      .notNull()
      .references(() => divisions.code),
    township: text('township'),
    typeCode: text('type_code').notNull(),
    urbanRuralCode: text('urban_rural_code').notNull(),
    classCount: integer('class_count'),
    centreSchoolCode: text('centre_school_code'),
    createdAt: epochMs('created_at').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [index('schools_county').on(t.countyCode, t.code), index('schools_centre_school').on(t.centreSchoolCode)],
);

export const classrooms = pgTable(
  'classrooms',
  {
    id: rowId('id'),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    code: text('code').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('classrooms_school_code').on(t.schoolCode, t.code)],
);

// ── Credentials ─────────────────────────────────────────────────────────────────────────────────

export const enrollmentTokens = pgTable(
  'enrollment_tokens',
  {
    id: rowId('id'),
    tokenHash: text('token_hash').notNull(),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    expiresAt: epochMs('expires_at'),
    maxUses: integer('max_uses'),
    uses: integer('uses').notNull().default(0),
    revokedAt: epochMs('revoked_at'),
    createdAt: epochMs('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [uniqueIndex('enrollment_tokens_hash').on(t.tokenHash), index('enrollment_tokens_school').on(t.schoolCode)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: rowId('id'),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The division a token is confined to; null: the deployment's root. */
    divisionCode: text('division_code').references(() => divisions.code),
    createdAt: epochMs('created_at').notNull(),
    revokedAt: epochMs('revoked_at'),
    lastUsedAt: epochMs('last_used_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash)],
);

export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    classroomId: rowRef('classroom_id').references(() => classrooms.id),
    hostname: text('hostname').notNull(),
    keyHash: text('key_hash').notNull(),
    hardwareUuid: text('hardware_uuid'),
    hardwareSerial: text('hardware_serial'),
    enrollmentTokenId: rowRef('enrollment_token_id').references(() => enrollmentTokens.id),
    enrolledAt: epochMs('enrolled_at').notNull(),
    reenrolledAt: epochMs('reenrolled_at'),
    revokedAt: epochMs('revoked_at'),
  },
  (t) => [
    uniqueIndex('devices_key_hash').on(t.keyHash),
    index('devices_school').on(t.schoolCode),
    index('devices_hardware_uuid').on(t.hardwareUuid),
    index('devices_hardware_serial').on(t.hardwareSerial),
  ],
);

export const deviceMacs = pgTable(
  'device_macs',
  {
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    mac: text('mac').notNull(),
  },
  (t) => [uniqueIndex('device_macs_pair').on(t.deviceId, t.mac), index('device_macs_mac').on(t.mac)],
);

export const hardwareConflicts = pgTable(
  'hardware_conflicts',
  {
    id: rowId('id'),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    otherDeviceId: text('other_device_id')
      .notNull()
      .references(() => devices.id),
    matchedOn: text('matched_on').notNull(),
    detectedAt: epochMs('detected_at').notNull(),
    resolvedAt: epochMs('resolved_at'),
  },
  (t) => [uniqueIndex('hardware_conflicts_pair').on(t.deviceId, t.otherDeviceId)],
);

export const deviceReenrollments = pgTable(
  'device_reenrollments',
  {
    id: rowId('id'),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    enrollmentTokenId: rowRef('enrollment_token_id')
      .notNull()
      .references(() => enrollmentTokens.id),
    matchedOn: text('matched_on').notNull(),
    previousHostname: text('previous_hostname').notNull(),
    previousClassroomId: rowRef('previous_classroom_id').references(() => classrooms.id),
    previousKeyHash: text('previous_key_hash'),
    reenrolledAt: epochMs('reenrolled_at').notNull(),
    confirmedAt: epochMs('confirmed_at'),
  },
  (t) => [
    uniqueIndex('device_reenrollments_previous_key').on(t.previousKeyHash),
    index('device_reenrollments_device').on(t.deviceId, t.confirmedAt),
  ],
);

// ── Evidence ────────────────────────────────────────────────────────────────────────────────────

export const reports = pgTable(
  'reports',
  {
    id: storedReportId('id').notNull(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    collectedAt: epochMs('collected_at').notNull(),
    receivedAt: epochMs('received_at').notNull(),
    collectedAtClamped: flag('collected_at_clamped').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    agentVersion: text('agent_version').notNull(),
    internetReachable: flag('internet_reachable').notNull(),
    latencyMs: doublePrecision('latency_ms'),
    downMbps: doublePrecision('down_mbps'),
    upMbps: doublePrecision('up_mbps'),
    presentationDisplay: flag('presentation_display').notNull(),
    presentationKind: text('presentation_kind', { enum: presentationDisplayKinds }),
    body: storedReportBody('body').notNull(),
    downFlag: text('down_flag', { enum: ['above-link', 'above-cap'] }),
  },
  (t) => [
    // In the database the key also holds collected_at, the partition key (migration pg/0009, decision 192):
    // drizzle-kit does not model partitioned tables, and no query here names the key.
    primaryKey({ columns: [t.deviceId, t.id] }),
    index('reports_device_collected').on(t.deviceId, t.collectedAt),
    index('reports_collected').on(t.collectedAt),
    index('reports_device_throughput')
      .on(t.deviceId, t.collectedAt, t.downMbps, t.upMbps, t.downFlag)
      .where(sql`down_mbps IS NOT NULL`),
  ],
);

export const speedtests = pgTable(
  'speedtests',
  {
    id: rowId('id'),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    finishedAt: epochMs('finished_at').notNull(),
    downBytes: bigint('down_bytes', { mode: 'number' }).notNull(),
    downMbps: doublePrecision('down_mbps'),
    upBytes: bigint('up_bytes', { mode: 'number' }).notNull(),
    upMbps: doublePrecision('up_mbps'),
  },
  (t) => [index('speedtests_device_finished').on(t.deviceId, t.finishedAt)],
);

export const speedtestSlots = pgTable('speedtest_slots', {
  schoolCode: text('school_code')
    .primaryKey()
    .references(() => schools.code),
  deviceId: text('device_id')
    .notNull()
    .references(() => devices.id),
  expiresAt: epochMs('expires_at').notNull(),
  downloadTaken: flag('download_taken').notNull(),
  uploadTaken: flag('upload_taken').notNull(),
  downloadStartedAt: doublePrecision('download_started_at'),
  downloadSent: bigint('download_sent', { mode: 'number' }),
  downloadDone: flag('download_done'),
});

export const speedtestGrants = pgTable(
  'speedtest_grants',
  {
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    day: text('day').notNull(),
    grants: integer('grants').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.day] })],
);

export const deviceDays = pgTable(
  'device_days',
  {
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    day: text('day').notNull(),
    reports: integer('reports').notNull(),
    lastCollectedAt: epochMs('last_collected_at').notNull(),
    lastReachableAt: epochMs('last_reachable_at'),
    lastPresentationAt: epochMs('last_presentation_at'),
    lastPresentationKind: text('last_presentation_kind', { enum: presentationDisplayKinds }),
    downSamples: jsonb('down_samples').$type<number[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.day] })],
);

// ── Derived state ───────────────────────────────────────────────────────────────────────────────

const equippedByKindColumns = () => ({
  classroomsEquippedProjector: integer('classrooms_equipped_projector').notNull().default(0),
  classroomsEquippedInteractivePanel: integer('classrooms_equipped_interactive_panel').notNull().default(0),
  classroomsEquippedLargeDisplay: integer('classrooms_equipped_large_display').notNull().default(0),
});

export const deviceStatus = pgTable(
  'device_status',
  {
    deviceId: text('device_id')
      .primaryKey()
      .references(() => devices.id),
    schoolCode: text('school_code').notNull(),
    lastCollectedAt: epochMs('last_collected_at'),
    lastReceivedAt: epochMs('last_received_at'),
    lastReachableAt: epochMs('last_reachable_at'),
    lastPresentationAt: epochMs('last_presentation_at'),
    lastPresentationKind: text('last_presentation_kind', { enum: presentationDisplayKinds }),
    agentVersion: text('agent_version'),
    medianDownMbps: doublePrecision('median_down_mbps'),
    medianUpMbps: doublePrecision('median_up_mbps'),
    throughputSamples: integer('throughput_samples').notNull().default(0),
    downSource: text('down_source', { enum: ['server', 'agent'] }),
    flaggedSamples: integer('flagged_samples').notNull().default(0),
    flagReasons: text('flag_reasons'),
    state: text('state', { enum: ['never', 'live', 'at-risk', 'silent', 'revoked'] }).notNull(),
  },
  (t) => [index('device_status_school').on(t.schoolCode)],
);

export const classroomStatus = pgTable(
  'classroom_status',
  {
    classroomId: rowRef('classroom_id')
      .primaryKey()
      .references(() => classrooms.id),
    schoolCode: text('school_code').notNull(),
    equipped: flag('equipped').notNull(),
    lastEvidenceAt: epochMs('last_evidence_at'),
    equippedKind: text('equipped_kind', { enum: presentationDisplayKinds }),
    declaredEquipped: flag('declared_equipped').notNull().default(unset),
  },
  (t) => [index('classroom_status_school').on(t.schoolCode)],
);

export const schoolStatus = pgTable(
  'school_status',
  {
    schoolCode: text('school_code')
      .primaryKey()
      .references(() => schools.code),
    countyCode: text('county_code').notNull(),
    connected: flag('connected').notNull(),
    lastReachableAt: epochMs('last_reachable_at'),
    bandwidthMbps: doublePrecision('bandwidth_mbps'),
    standardMbps: doublePrecision('standard_mbps'),
    meetsStandard: flag('meets_standard').notNull(),
    declaredConnected: flag('declared_connected').notNull().default(unset),
    declarationConflict: flag('declaration_conflict').notNull().default(unset),
    bandwidthSource: text('bandwidth_source', { enum: ['server', 'agent'] }),
    flaggedSamples: integer('flagged_samples').notNull().default(0),
    flagReasons: text('flag_reasons'),
    classroomsRegistered: integer('classrooms_registered').notNull(),
    classroomsEquipped: integer('classrooms_equipped').notNull(),
    ...equippedByKindColumns(),
    classroomsDeclaredEquipped: integer('classrooms_declared_equipped').notNull().default(0),
    devicesEnrolled: integer('devices_enrolled').notNull(),
    devicesLive: integer('devices_live').notNull(),
    devicesAtRisk: integer('devices_at_risk').notNull(),
    devicesSilent: integer('devices_silent').notNull(),
    devicesNever: integer('devices_never').notNull(),
    evaluatedAt: epochMs('evaluated_at').notNull(),
    nextChangeAt: epochMs('next_change_at'),
    /** The school's declared teacher spaces (人人通), copied from teacher_spaces by its evaluation; null while none are declared. */
    teachers: integer('teachers'),
    teacherSpacesOpened: integer('teacher_spaces_opened'),
    teacherSpacesVerified: integer('teacher_spaces_verified'),
  },
  (t) => [index('school_status_county').on(t.countyCode), index('school_status_next_change').on(t.nextChangeAt)],
);

/** Figures of every division from county to the deployment root, each re-summed from the level below (decision 140). */
export const divisionRollups = pgTable('division_rollups', {
  divisionCode: text('division_code')
    .primaryKey()
    .references(() => divisions.code),
  schoolsRegistered: integer('schools_registered').notNull(),
  schoolsConnected: integer('schools_connected').notNull(),
  schoolsMeetingStandard: integer('schools_meeting_standard').notNull(),
  schoolsDeclaredConnected: integer('schools_declared_connected').notNull().default(0),
  declarationConflicts: integer('declaration_conflicts').notNull().default(0),
  classroomsRegistered: integer('classrooms_registered').notNull(),
  classroomsEquipped: integer('classrooms_equipped').notNull(),
  ...equippedByKindColumns(),
  classroomsDeclaredEquipped: integer('classrooms_declared_equipped').notNull().default(0),
  devicesEnrolled: integer('devices_enrolled').notNull(),
  devicesLive: integer('devices_live').notNull(),
  devicesAtRisk: integer('devices_at_risk').notNull(),
  devicesSilent: integer('devices_silent').notNull(),
  devicesNever: integer('devices_never').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
  /** Declared teacher spaces (人人通) of the division's schools, and how many schools declared them (decision 164). */
  teachers: integer('teachers').notNull().default(0),
  teacherSpacesOpened: integer('teacher_spaces_opened').notNull().default(0),
  teacherSpacesVerified: integer('teacher_spaces_verified').notNull().default(0),
  schoolsDeclaringTeacherSpaces: integer('schools_declaring_teacher_spaces').notNull().default(0),
});

// No read_model_version here: the same triggers as SQLite's notify the servers instead of writing a row every
// writer would update (decision 199, migration pg/0011).

// ── Dashboard accounts ──────────────────────────────────────────────────────────────────────────

export const users = pgTable(
  'users',
  {
    id: rowId('id'),
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['bureau', 'county', 'school'] }).notNull(),
    /** The division the account works in: a bureau's (null: the root), a county officer's county, a school's county. */
    divisionCode: text('division_code').references(() => divisions.code),
    schoolCode: text('school_code').references(() => schools.code),
    createdAt: epochMs('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    disabledAt: epochMs('disabled_at'),
  },
  (t) => [uniqueIndex('users_username').on(t.username)],
);

export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: rowRef('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: epochMs('created_at').notNull(),
    lastSeenAt: epochMs('last_seen_at').notNull(),
    expiresAt: epochMs('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const loginAttempts = pgTable('login_attempts', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  firstFailureAt: epochMs('first_failure_at').notNull(),
  lockedUntil: epochMs('locked_until'),
});

// ── Agent self-update ───────────────────────────────────────────────────────────────────────────

export const signingKeys = pgTable('signing_keys', {
  id: rowId('id'),
  publicKey: text('public_key').notNull(),
  privateKey: text('private_key').notNull(),
  createdAt: epochMs('created_at').notNull(),
});

export const releaseKeys = pgTable('release_keys', {
  publicKey: text('public_key').primaryKey(),
  addedAt: epochMs('added_at').notNull(),
  endorsedBy: text('endorsed_by'),
  endorsement: text('endorsement'),
  revokedAt: epochMs('revoked_at'),
  revocation: text('revocation'),
});

export const agentReleases = pgTable('agent_releases', {
  version: text('version').primaryKey(),
  bundle: bytes('bundle').notNull(),
  sha256: text('sha256').notNull(),
  signature: text('signature').notNull(),
  signedBy: text('signed_by'),
  publishedAt: epochMs('published_at').notNull(),
});

// ── Accountability ──────────────────────────────────────────────────────────────────────────────

/** Append-only: triggers refuse UPDATE and DELETE (the custom migration in migrations/pg mirrors 0004). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: rowId('id'),
    at: epochMs('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    countyCode: text('county_code'),
    oldValue: jsonb('old_value'),
    newValue: jsonb('new_value'),
    reason: text('reason').notNull(),
  },
  (t) => [
    index('audit_log_entity').on(t.entityType, t.entityId),
    index('audit_log_at').on(t.at),
    index('audit_log_county').on(t.countyCode, t.at),
  ],
);

// ── Teacher spaces and the two platforms ────────────────────────────────────────────────────────

export const teacherSpaces = pgTable('teacher_spaces', {
  schoolCode: text('school_code')
    .primaryKey()
    .references(() => schools.code),
  teachers: integer('teachers').notNull(),
  spacesOpened: integer('spaces_opened').notNull(),
  spacesVerified: integer('spaces_verified').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

export const platforms = pgTable(
  'platforms',
  {
    id: rowId('id'),
    kind: text('kind', { enum: ['resource', 'management'] }).notNull(),
    level: text('level', { enum: ['prefecture', 'county', 'centre-school'] }).notNull(),
    ownerCode: text('owner_code').notNull(),
    countyCode: text('county_code').references(() => divisions.code),
    name: text('name').notNull(),
    url: text('url').notNull(),
    builtOn: text('built_on'),
    createdAt: epochMs('created_at').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [index('platforms_owner').on(t.level, t.ownerCode), index('platforms_county').on(t.countyCode)],
);

export const platformProbes = pgTable(
  'platform_probes',
  {
    id: rowId('id'),
    platformId: rowRef('platform_id')
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    at: epochMs('at').notNull(),
    up: flag('up').notNull(),
    statusCode: integer('status_code'),
    latencyMs: doublePrecision('latency_ms'),
    error: text('error'),
  },
  (t) => [index('platform_probes_platform_at').on(t.platformId, t.at), index('platform_probes_at').on(t.at)],
);

export const platformStatus = pgTable('platform_status', {
  platformId: rowRef('platform_id')
    .primaryKey()
    .references(() => platforms.id, { onDelete: 'cascade' }),
  lastProbeAt: epochMs('last_probe_at').notNull(),
  up: flag('up').notNull(),
  statusCode: integer('status_code'),
  error: text('error'),
  uptime7d: doublePrecision('uptime_7d'),
  uptime30d: doublePrecision('uptime_30d'),
  medianLatencyMs: doublePrecision('median_latency_ms'),
  probes30d: integer('probes_30d').notNull(),
});

// ── The whole programme ─────────────────────────────────────────────────────────────────────────

export const declarations = pgTable(
  'declarations',
  {
    id: rowId('id'),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    classroomId: rowRef('classroom_id').references(() => classrooms.id),
    indicator: text('indicator', { enum: ['connected', 'equipped'] }).notNull(),
    declaredAt: epochMs('declared_at').notNull(),
    declaredBy: text('declared_by').notNull(),
    reason: text('reason').notNull(),
    withdrawnAt: epochMs('withdrawn_at'),
    withdrawnBy: text('withdrawn_by'),
  },
  (t) => [index('declarations_school').on(t.schoolCode)],
);

export const closures = pgTable('closures', {
  id: rowId('id'),
  name: text('name').notNull(),
  countyCode: text('county_code').references(() => divisions.code),
  startsOn: text('starts_on').notNull(),
  endsOn: text('ends_on').notNull(),
  createdAt: epochMs('created_at').notNull(),
});

export const dailySnapshots = pgTable(
  'daily_snapshots',
  {
    day: text('day').notNull(),
    divisionCode: text('division_code').notNull(),
    figures: jsonb('figures').notNull(),
    source: text('source', { enum: ['live', 'backfill'] }).notNull(),
    createdAt: epochMs('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.divisionCode] })],
);

export const inspections = pgTable('inspections', {
  id: rowId('id'),
  seed: text('seed').notNull(),
  perCounty: integer('per_county').notNull(),
  drawnAt: epochMs('drawn_at').notNull(),
  drawnBy: text('drawn_by').notNull(),
});

export const inspectionSchools = pgTable(
  'inspection_schools',
  {
    inspectionId: rowRef('inspection_id')
      .notNull()
      .references(() => inspections.id),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    stratum: text('stratum').notNull(),
    result: text('result', { enum: ['confirmed', 'discrepancy'] }),
    note: text('note'),
    recordedAt: epochMs('recorded_at'),
    recordedBy: text('recorded_by'),
  },
  (t) => [primaryKey({ columns: [t.inspectionId, t.schoolCode] })],
);
