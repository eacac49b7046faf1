import { sql } from 'drizzle-orm';
import { divisionLevels } from '../../shared/schemas/division-code.ts';
import { presentationDisplayKinds } from '../../shared/schemas/report.ts';
import {
  blob,
  customType,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { reportBodyColumn } from './report-body.ts';
import { reportIdColumn } from './report-id.ts';

/*
 * Times are integer milliseconds since the epoch (UTC): cheap to compare in window queries and
 * unambiguous across the agent, server and API (which speaks ISO 8601).
 *
 * Three kinds of table: the registry (edited by people and imports), evidence (reports, append-only)
 * and derived state (*_status, division_rollups), which is recomputed from the first two and never edited.
 */

// ── Registry ────────────────────────────────────────────────────────────────────────────────────

export const divisions = sqliteTable(
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
export const deployment = sqliteTable('deployment', {
  id: integer('id').primaryKey(),
  rootCode: text('root_code').notNull(),
  referenceEdition: text('reference_edition').notNull(),
  chosenAt: integer('chosen_at').notNull(),
  /** Moved by triggers on every change to `divisions` (migration 0020), so a process knows when its in-memory tree is stale. */
  treeVersion: integer('tree_version').notNull().default(0),
});

export const plans = sqliteTable('plans', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  document: text('document', { mode: 'json' }).notNull(),
  importedAt: integer('imported_at').notNull(),
  source: text('source').notNull(),
});

export const schools = sqliteTable(
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
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('schools_county').on(t.countyCode, t.code), index('schools_centre_school').on(t.centreSchoolCode)],
);

export const classrooms = sqliteTable(
  'classrooms',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    code: text('code').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('classrooms_school_code').on(t.schoolCode, t.code)],
);

// ── Credentials (only SHA-256 hashes of high-entropy tokens are stored) ─────────────────────────

export const enrollmentTokens = sqliteTable(
  'enrollment_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull(),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    expiresAt: integer('expires_at'),
    maxUses: integer('max_uses'),
    uses: integer('uses').notNull().default(0),
    revokedAt: integer('revoked_at'),
    createdAt: integer('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [uniqueIndex('enrollment_tokens_hash').on(t.tokenHash), index('enrollment_tokens_school').on(t.schoolCode)],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The division a token is confined to; null: the deployment's root. */
    divisionCode: text('division_code').references(() => divisions.code),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash)],
);

export const devices = sqliteTable(
  'devices',
  {
    id: text('id').primaryKey(),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    classroomId: integer('classroom_id').references(() => classrooms.id),
    hostname: text('hostname').notNull(),
    keyHash: text('key_hash').notNull(),
    hardwareUuid: text('hardware_uuid'),
    hardwareSerial: text('hardware_serial'),
    enrollmentTokenId: integer('enrollment_token_id').references(() => enrollmentTokens.id),
    enrolledAt: integer('enrolled_at').notNull(),
    reenrolledAt: integer('reenrolled_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [
    uniqueIndex('devices_key_hash').on(t.keyHash),
    index('devices_school').on(t.schoolCode),
    index('devices_hardware_uuid').on(t.hardwareUuid),
    index('devices_hardware_serial').on(t.hardwareSerial),
  ],
);

/** MAC addresses of a device's physical interfaces: one row each, so a MAC is found by index. */
export const deviceMacs = sqliteTable(
  'device_macs',
  {
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    mac: text('mac').notNull(),
  },
  (t) => [uniqueIndex('device_macs_pair').on(t.deviceId, t.mac), index('device_macs_mac').on(t.mac)],
);

/** Hardware seen enrolled at two schools: flagged for a person to resolve, never moved silently. */
export const hardwareConflicts = sqliteTable(
  'hardware_conflicts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    otherDeviceId: text('other_device_id')
      .notNull()
      .references(() => devices.id),
    matchedOn: text('matched_on').notNull(),
    detectedAt: integer('detected_at').notNull(),
    resolvedAt: integer('resolved_at'),
  },
  (t) => [uniqueIndex('hardware_conflicts_pair').on(t.deviceId, t.otherDeviceId)],
);

/**
 * A PC enrolled again at its school with matching SMBIOS UUID or serial (a reimaged PC): the device keeps
 * its id and gets a new key. The previous key keeps working until the new key's first report
 * (`confirmedAt`), so a mistaken or hostile re-enrollment cannot silence the PC that is really there;
 * each row is a flag the county sees beside the audit entry. Decision 065.
 */
export const deviceReenrollments = sqliteTable(
  'device_reenrollments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    enrollmentTokenId: integer('enrollment_token_id')
      .notNull()
      .references(() => enrollmentTokens.id),
    matchedOn: text('matched_on').notNull(),
    previousHostname: text('previous_hostname').notNull(),
    previousClassroomId: integer('previous_classroom_id').references(() => classrooms.id),
    /** The key the PC held before; accepted until `confirmedAt`, then erased. */
    previousKeyHash: text('previous_key_hash'),
    reenrolledAt: integer('reenrolled_at').notNull(),
    /** When the new key first delivered reports. */
    confirmedAt: integer('confirmed_at'),
  },
  (t) => [
    uniqueIndex('device_reenrollments_previous_key').on(t.previousKeyHash),
    index('device_reenrollments_device').on(t.deviceId, t.confirmedAt),
  ],
);

const storedReportId = customType<{ data: string; driverData: Buffer | string; notNull: true }>({
  dataType: () => 'blob',
  ...reportIdColumn,
});
const storedReportBody = customType<{ data: unknown; driverData: Buffer | string; notNull: true }>({
  dataType: () => 'blob',
  ...reportBodyColumn,
});

// ── Evidence ────────────────────────────────────────────────────────────────────────────────────

export const reports = sqliteTable(
  'reports',
  {
    /** The agent's id for the report: unique per device (decision 068), so one device cannot claim another's. Its 16 bytes (decision 181). */
    id: storedReportId('id').notNull(),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    collectedAt: integer('collected_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    collectedAtClamped: integer('collected_at_clamped', { mode: 'boolean' }).notNull(),
    schemaVersion: integer('schema_version').notNull(),
    agentVersion: text('agent_version').notNull(),
    internetReachable: integer('internet_reachable', { mode: 'boolean' }).notNull(),
    latencyMs: real('latency_ms'),
    downMbps: real('down_mbps'),
    upMbps: real('up_mbps'),
    presentationDisplay: integer('presentation_display', { mode: 'boolean' }).notNull(),
    /** The report's presentation kind (rules.ts presentationKindOf), null when it shows none. */
    presentationKind: text('presentation_kind', { enum: presentationDisplayKinds }),
    /** The report as the agent sent it, deflated with a dictionary (server/db/report-body.ts, decision 181). */
    body: storedReportBody('body').notNull(),
    /** Why `down_mbps` is implausible and does not count (server/coverage/plausibility.ts), or null. */
    downFlag: text('down_flag', { enum: ['above-link', 'above-cap'] }),
  },
  (t) => [
    primaryKey({ columns: [t.deviceId, t.id] }),
    index('reports_device_collected').on(t.deviceId, t.collectedAt),
    // Retention folds the oldest reports first, a chunk at a time: without this each chunk scanned and
    // sorted the whole table (the prefecture's 1.96 million reports folded at 3,800/s; BENCHMARKS.md).
    index('reports_collected').on(t.collectedAt),
    // Covering: every ingest reads each PC of the school's speed tests in the window, and at national
    // scale fetching each from the table was a random page read apiece (BENCHMARKS.md).
    index('reports_device_throughput')
      .on(t.deviceId, t.collectedAt, t.downMbps, t.upMbps, t.downFlag)
      .where(sql`down_mbps IS NOT NULL`),
  ],
);

/**
 * Speed tests as the server itself measured them (server/speedtest/record.ts): the bytes it sent and
 * received and its own timing, beside whatever the agent later claims. Evidence, append-only.
 */
export const speedtests = sqliteTable(
  'speedtests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    /** When the upload ended (server clock): the instant the evidence counts from. */
    finishedAt: integer('finished_at').notNull(),
    downBytes: integer('down_bytes').notNull(),
    /** Server-measured download; null when the download did not complete before the upload began. */
    downMbps: real('down_mbps'),
    upBytes: integer('up_bytes').notNull(),
    upMbps: real('up_mbps'),
  },
  (t) => [index('speedtests_device_finished').on(t.deviceId, t.finishedAt)],
);

/**
 * A school's speed-test slot (server/speedtest/slots.ts): one row per school while a device holds it. In the
 * database, not in a server's memory, so that every server process sharing the database sees the same slot
 * (issue 14): two PCs of one school asking two processes at once still test one after the other, and a test's
 * download and upload may be served by different processes.
 */
export const speedtestSlots = sqliteTable('speedtest_slots', {
  schoolCode: text('school_code')
    .primaryKey()
    .references(() => schools.code),
  deviceId: text('device_id')
    .notNull()
    .references(() => devices.id),
  /** Server clock; the slot is free from this instant even if never released. */
  expiresAt: integer('expires_at').notNull(),
  /** The slot's one download / one upload has started. */
  downloadTaken: integer('download_taken', { mode: 'boolean' }).notNull(),
  uploadTaken: integer('upload_taken', { mode: 'boolean' }).notNull(),
  /** When the download was asked for: wall-clock epoch ms with a fraction, the start of the server's own figure. */
  downloadStartedAt: real('download_started_at'),
  /** Bytes of the download handed to the connection, written when the last is handed over or the agent breaks off. */
  downloadSent: integer('download_sent'),
  downloadDone: integer('download_done', { mode: 'boolean' }),
});

/** Speed-test slots granted per device and local (China Standard Time) day, for the daily cap. */
export const speedtestGrants = sqliteTable(
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

/**
 * Reports older than the retention period, folded per device and local day (UTC+8). Exact for any
 * question asked at a day boundary: history backfill and verify use them where raw reports are gone.
 */
export const deviceDays = sqliteTable(
  'device_days',
  {
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id),
    day: text('day').notNull(),
    reports: integer('reports').notNull(),
    lastCollectedAt: integer('last_collected_at').notNull(),
    lastReachableAt: integer('last_reachable_at'),
    lastPresentationAt: integer('last_presentation_at'),
    lastPresentationKind: text('last_presentation_kind', { enum: presentationDisplayKinds }),
    /** Every download measurement of the day (Mbps), so medians over a window stay exact. */
    downSamples: text('down_samples', { mode: 'json' }).$type<number[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.day] })],
);

// ── Derived state: recomputed from registry + evidence, read by coverage ────────────────────────

/** Equipped classrooms by the presentation kind of their evidence; the three add up to classrooms_equipped. */
const equippedByKindColumns = () => ({
  classroomsEquippedProjector: integer('classrooms_equipped_projector').notNull().default(0),
  classroomsEquippedInteractivePanel: integer('classrooms_equipped_interactive_panel').notNull().default(0),
  classroomsEquippedLargeDisplay: integer('classrooms_equipped_large_display').notNull().default(0),
});

export const deviceStatus = sqliteTable(
  'device_status',
  {
    deviceId: text('device_id')
      .primaryKey()
      .references(() => devices.id),
    schoolCode: text('school_code').notNull(),
    lastCollectedAt: integer('last_collected_at'),
    lastReceivedAt: integer('last_received_at'),
    lastReachableAt: integer('last_reachable_at'),
    lastPresentationAt: integer('last_presentation_at'),
    /** The presentation kind of the report at last_presentation_at. */
    lastPresentationKind: text('last_presentation_kind', { enum: presentationDisplayKinds }),
    agentVersion: text('agent_version'),
    medianDownMbps: real('median_down_mbps'),
    medianUpMbps: real('median_up_mbps'),
    throughputSamples: integer('throughput_samples').notNull().default(0),
    /** Whose measurements `median_down_mbps` is the median of: the server's own tests outrank the agent's claims. */
    downSource: text('down_source', { enum: ['server', 'agent'] }),
    /** Claimed downloads in the window that do not count, and why (comma-separated flags). */
    flaggedSamples: integer('flagged_samples').notNull().default(0),
    flagReasons: text('flag_reasons'),
    state: text('state', { enum: ['never', 'live', 'at-risk', 'silent', 'revoked'] }).notNull(),
  },
  (t) => [index('device_status_school').on(t.schoolCode)],
);

export const classroomStatus = sqliteTable(
  'classroom_status',
  {
    classroomId: integer('classroom_id')
      .primaryKey()
      .references(() => classrooms.id),
    schoolCode: text('school_code').notNull(),
    equipped: integer('equipped', { mode: 'boolean' }).notNull(),
    lastEvidenceAt: integer('last_evidence_at'),
    /** The presentation kind of the evidence at last_evidence_at, while equipped (docs/coverage.md). */
    equippedKind: text('equipped_kind', { enum: presentationDisplayKinds }),
    /** Declared equipped by a person and not measured: counted apart, never as equipped. */
    declaredEquipped: integer('declared_equipped', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('classroom_status_school').on(t.schoolCode)],
);

export const schoolStatus = sqliteTable(
  'school_status',
  {
    schoolCode: text('school_code')
      .primaryKey()
      .references(() => schools.code),
    countyCode: text('county_code').notNull(),
    connected: integer('connected', { mode: 'boolean' }).notNull(),
    lastReachableAt: integer('last_reachable_at'),
    bandwidthMbps: real('bandwidth_mbps'),
    standardMbps: real('standard_mbps'),
    meetsStandard: integer('meets_standard', { mode: 'boolean' }).notNull(),
    /** Declared connected by a person and not measured: counted apart, never as connected. */
    declaredConnected: integer('declared_connected', { mode: 'boolean' }).notNull().default(false),
    /** Declared connected, yet every report in the window says no internet. */
    declarationConflict: integer('declaration_conflict', { mode: 'boolean' }).notNull().default(false),
    /** Whose measurement `bandwidth_mbps` is: 'server' (its own speed test) or 'agent' (the PC's claim). */
    bandwidthSource: text('bandwidth_source', { enum: ['server', 'agent'] }),
    /** Implausible download claims in the window, over the school's devices, and their reasons (comma-separated). */
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
    evaluatedAt: integer('evaluated_at').notNull(),
    /** When some figure of this school changes by the passage of time alone; the aging sweep's key. */
    nextChangeAt: integer('next_change_at'),
    /** The school's declared teacher spaces (人人通), copied from teacher_spaces by its evaluation; null while none are declared. */
    teachers: integer('teachers'),
    teacherSpacesOpened: integer('teacher_spaces_opened'),
    teacherSpacesVerified: integer('teacher_spaces_verified'),
  },
  (t) => [index('school_status_county').on(t.countyCode), index('school_status_next_change').on(t.nextChangeAt)],
);

/** Figures of every division from county to the deployment root, each re-summed from the level below (decision 140). */
export const divisionRollups = sqliteTable('division_rollups', {
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
  updatedAt: integer('updated_at').notNull(),
  /** Declared teacher spaces (人人通) of the division's schools, and how many schools declared them (decision 164). */
  teachers: integer('teachers').notNull().default(0),
  teacherSpacesOpened: integer('teacher_spaces_opened').notNull().default(0),
  teacherSpacesVerified: integer('teacher_spaces_verified').notNull().default(0),
  schoolsDeclaringTeacherSpaces: integer('schools_declaring_teacher_spaces').notNull().default(0),
});

/**
 * One row whose version rises whenever something a coverage answer is built from changes: a county
 * rollup's figures, the division tree, the plan, declared teacher spaces, platforms and their probes,
 * a school's county or centre school. SQLite triggers keep it (migration 0009), so writes from every
 * connection count — the CLI and the worker thread included. Reads cache what they build per version
 * (server/db/read-cache.ts).
 */
export const readModelVersion = sqliteTable('read_model_version', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull(),
});

// ── Dashboard accounts (server/accounts/*): people, their sessions and login throttling ─────────

/** A person who signs in to the dashboard; role bureau sees all, county one county, school one school. */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    /** scrypt$N$r$p$salt$hash (base64url); the parameters travel with the hash so they can be raised later. */
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['bureau', 'county', 'school'] }).notNull(),
    /** The division the account works in: a bureau's (null: the root), a county officer's county, a school's county. */
    divisionCode: text('division_code').references(() => divisions.code),
    schoolCode: text('school_code').references(() => schools.code),
    createdAt: integer('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    disabledAt: integer('disabled_at'),
  },
  (t) => [uniqueIndex('users_username').on(t.username)],
);

/** Signed-in sessions: only the SHA-256 of the cookie's random id is stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Failed sign-ins per username + client address, for throttling; cleared by a successful sign-in. */
export const loginAttempts = sqliteTable('login_attempts', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  firstFailureAt: integer('first_failure_at').notNull(),
  lockedUntil: integer('locked_until'),
});

// ── Agent self-update ───────────────────────────────────────────────────────────────────────────

/**
 * Legacy: the release key pair servers made and kept here before issue 11. Nothing writes it any more;
 * `santong release-key export-legacy` moves the private key to a file and wipes it from the database
 * (docs/decisions/060-offline-release-keys.md). Its public key was copied into release_keys (migration 0018).
 */
export const signingKeys = sqliteTable('signing_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  publicKey: text('public_key').notNull(),
  privateKey: text('private_key').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Public release keys the server trusts: a release is published only with a signature by one of them, and
 * enrollment hands them to agents to pin. The private keys are held offline. A key added by rotation
 * carries the statement (signed by a key agents already trust) that lets enrolled agents learn it; a
 * revoked key carries its self-signed revocation, which agents keep for good.
 */
export const releaseKeys = sqliteTable('release_keys', {
  publicKey: text('public_key').primaryKey(),
  addedAt: integer('added_at').notNull(),
  endorsedBy: text('endorsed_by'),
  endorsement: text('endorsement'),
  revokedAt: integer('revoked_at'),
  revocation: text('revocation'),
});

/** Published agent bundles; the newest is the one agents update to. */
export const agentReleases = sqliteTable('agent_releases', {
  version: text('version').primaryKey(),
  bundle: blob('bundle', { mode: 'buffer' }).notNull(),
  sha256: text('sha256').notNull(),
  signature: text('signature').notNull(),
  /** The release key whose signature the server checked; null for releases the server signed itself before issue 11. */
  signedBy: text('signed_by'),
  publishedAt: integer('published_at').notNull(),
});

// ── Accountability ──────────────────────────────────────────────────────────────────────────────

/**
 * Append-only record of every declaration and every change to the registry, plan, users and tokens:
 * who, when, what, old and new value, and why. Triggers (migration 0003) refuse UPDATE and DELETE.
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    countyCode: text('county_code'),
    oldValue: text('old_value', { mode: 'json' }),
    newValue: text('new_value', { mode: 'json' }),
    reason: text('reason').notNull(),
  },
  (t) => [
    index('audit_log_entity').on(t.entityType, t.entityId),
    index('audit_log_at').on(t.at),
    index('audit_log_county').on(t.countyCode, t.at),
  ],
);

// ── Teacher spaces and the two platforms (server/programme/*): declared by people, probed by the server ──

/**
 * Teacher spaces (人人通) per school, as declared by the platform operator or the county office: no agent
 * can see them. The audit log holds every earlier value and who declared it.
 */
export const teacherSpaces = sqliteTable('teacher_spaces', {
  schoolCode: text('school_code')
    .primaryKey()
    .references(() => schools.code),
  teachers: integer('teachers').notNull(),
  spacesOpened: integer('spaces_opened').notNull(),
  spacesVerified: integer('spaces_verified').notNull(),
  updatedAt: integer('updated_at').notNull(),
  updatedBy: text('updated_by').notNull(),
});

/**
 * Resource and management platforms (两平台) at a level; the owner is a division code (prefecture, county)
 * or a school code (centre school). builtOn is the declared date, YYYY-MM-DD; null while not declared built.
 */
export const platforms = sqliteTable(
  'platforms',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['resource', 'management'] }).notNull(),
    level: text('level', { enum: ['prefecture', 'county', 'centre-school'] }).notNull(),
    ownerCode: text('owner_code').notNull(),
    /** The county the owner lies in (null for the prefecture), so county-scoped reads need no join. */
    countyCode: text('county_code').references(() => divisions.code),
    name: text('name').notNull(),
    url: text('url').notNull(),
    builtOn: text('built_on'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('platforms_owner').on(t.level, t.ownerCode), index('platforms_county').on(t.countyCode)],
);

/** One probe of a platform's URL by the server (evidence, append-only, pruned after the retention period). */
export const platformProbes = sqliteTable(
  'platform_probes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platformId: integer('platform_id')
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    up: integer('up', { mode: 'boolean' }).notNull(),
    statusCode: integer('status_code'),
    latencyMs: real('latency_ms'),
    error: text('error'),
  },
  (t) => [index('platform_probes_platform_at').on(t.platformId, t.at), index('platform_probes_at').on(t.at)],
);

/** Derived from platform_probes after every probe: the platform's current state, uptime and latency. */
export const platformStatus = sqliteTable('platform_status', {
  platformId: integer('platform_id')
    .primaryKey()
    .references(() => platforms.id, { onDelete: 'cascade' }),
  lastProbeAt: integer('last_probe_at').notNull(),
  up: integer('up', { mode: 'boolean' }).notNull(),
  statusCode: integer('status_code'),
  error: text('error'),
  uptime7d: real('uptime_7d'),
  uptime30d: real('uptime_30d'),
  medianLatencyMs: real('median_latency_ms'),
  probes30d: integer('probes_30d').notNull(),
});

// ── The whole programme: declarations, school calendar, history, inspections ────────────────────

/**
 * A status a person declares because no agent can show it yet (a school linked with no PC to run the
 * agent, a classroom equipped). Kept apart from measurements in every figure; withdrawn, never deleted.
 */
export const declarations = sqliteTable(
  'declarations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    classroomId: integer('classroom_id').references(() => classrooms.id),
    indicator: text('indicator', { enum: ['connected', 'equipped'] }).notNull(),
    declaredAt: integer('declared_at').notNull(),
    declaredBy: text('declared_by').notNull(),
    reason: text('reason').notNull(),
    withdrawnAt: integer('withdrawn_at'),
    withdrawnBy: text('withdrawn_by'),
  },
  (t) => [index('declarations_school').on(t.schoolCode)],
);

/** School closures (winter and summer holidays, other closures), for every county or one. */
export const closures = sqliteTable('closures', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  countyCode: text('county_code').references(() => divisions.code),
  /** First and last closed day, inclusive, as local dates (YYYY-MM-DD, China Standard Time). */
  startsOn: text('starts_on').notNull(),
  endsOn: text('ends_on').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** Every indicator per county and for the prefecture, once a day; the history the bureau reports from. */
export const dailySnapshots = sqliteTable(
  'daily_snapshots',
  {
    day: text('day').notNull(),
    divisionCode: text('division_code').notNull(),
    figures: text('figures', { mode: 'json' }).notNull(),
    source: text('source', { enum: ['live', 'backfill'] }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.divisionCode] })],
);

/** A half-yearly inspection (检查验收): a reproducible sample of schools to visit. */
export const inspections = sqliteTable('inspections', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  seed: text('seed').notNull(),
  perCounty: integer('per_county').notNull(),
  drawnAt: integer('drawn_at').notNull(),
  drawnBy: text('drawn_by').notNull(),
});

export const inspectionSchools = sqliteTable(
  'inspection_schools',
  {
    inspectionId: integer('inspection_id')
      .notNull()
      .references(() => inspections.id),
    schoolCode: text('school_code')
      .notNull()
      .references(() => schools.code),
    /** Why the sample weighted this school: declared-only, conflict, or plain measured. */
    stratum: text('stratum').notNull(),
    result: text('result', { enum: ['confirmed', 'discrepancy'] }),
    note: text('note'),
    recordedAt: integer('recorded_at'),
    recordedBy: text('recorded_by'),
  },
  (t) => [primaryKey({ columns: [t.inspectionId, t.schoolCode] })],
);
