import { z } from 'zod';
import { instantText } from './common.ts';
import { divisionCodeSchema, divisionLevels, divisionPinyin } from './division-code.ts';
import { progressSchema } from './history.ts';
import { displayEvidenceKinds, displayKinds, presentationDisplayKinds } from './report.ts';
import { schoolCodeLabelsSchema } from './school.ts';

/** Shapes of the bureau API's coverage answers; the OpenAPI document is generated from these. */
const schoolFigures = z.object({
  registered: z.number().int(),
  connected: z.number().int().describe('schools with a device that reached the internet within the evidence window'),
  meetingStandard: z
    .number()
    .int()
    .describe('connected schools whose measured bandwidth meets their standard × tolerance'),
  declaredConnected: z
    .number()
    .int()
    .describe('schools a person declared connected that no measurement shows: never included in connected'),
  declarationConflicts: z
    .number()
    .int()
    .describe('declared connected, yet every report in the window says no internet'),
});
const equippedByKind = z
  .object({
    projector: z.number().int(),
    interactivePanel: z.number().int(),
    largeDisplay: z.number().int(),
  })
  .describe(
    'equipped classrooms by the kind of presentation display in their latest evidence; the three add up to `equipped`',
  );
const classroomFigures = z.object({
  registered: z.number().int(),
  equipped: z
    .number()
    .int()
    .describe(
      'classrooms whose PC saw a projector, interactive panel or large display and the internet within the window',
    ),
  equippedBy: equippedByKind,
  declaredEquipped: z
    .number()
    .int()
    .describe('classrooms a person declared equipped that no measurement shows: never included in equipped'),
});
const deviceFigures = z
  .object({
    enrolled: z.number().int().describe('devices with an active key'),
    live: z
      .number()
      .int()
      .describe(
        'reported to this server within liveDays (the dashboard says 正常上报 / reporting); ' +
          'says nothing about the internet, which `connected` measures',
      ),
    atRisk: z.number().int().describe('last report older than liveDays, within atRiskDays'),
    silent: z.number().int().describe('last report older than atRiskDays'),
    never: z.number().int().describe('enrolled, never reported'),
  })
  .describe('enrolled devices by state: live + atRisk + silent + never = enrolled');
const division = z.object({
  code: z.string(),
  name: z.string(),
  pinyin: divisionPinyin,
  level: z.enum(divisionLevels).describe('country (000000), province, prefecture or county'),
});

export const countyCoverageSchema = division.extend({
  schools: schoolFigures,
  classrooms: classroomFigures,
  devices: deviceFigures,
  progress: progressSchema.describe(
    "against the plan's milestones for this year; a division below the root is held to the root's expected share",
  ),
});
/** A division's figures in a list: a child of the division read, or one of its counties. */
export const divisionCoverageSchema = countyCoverageSchema;

const target = z
  .number()
  .int()
  .nullable()
  .describe("the plan's target as a count: an absolute target (the root only) or the target share × registered");
const targetShare = z
  .number()
  .nullable()
  .describe("the plan's target as a share of registered units (null when the plan sets a count)");

export const coverageSchema = z.object({
  asOf: instantText().describe('the instant these figures hold for (ISO 8601)'),
  scope: z.object({ level: z.enum(divisionLevels), code: z.string() }).describe('the division read (as `division`)'),
  division: division.describe('the division these figures are for: the root, or `?division=CODE`'),
  prefecture: z
    .object({ code: z.string(), name: z.string() })
    .describe("the deployment's root division (named `prefecture` since the first deployment, Linxia)"),
  evidenceWindowDays: z.number().int(),
  schools: schoolFigures.extend({ target, targetShare }),
  classrooms: classroomFigures.extend({ target, targetShare }),
  devices: deviceFigures,
  progress: progressSchema,
  children: z
    .array(divisionCoverageSchema)
    .describe('the direct sub-divisions of `division`, each with the same figures (empty for a county)'),
  countyPage: z
    .object({ page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })
    .describe(
      'which county rows `counties` lists: one page of `total` (the figures above always cover the whole scope); ' +
        'pageSize 0 when none are listed (above the prefecture unless ?counties=true)',
    ),
  counties: z
    .array(countyCoverageSchema)
    .describe('the county-level divisions at or under `division`, in code order (one page of them)'),
});
export type Coverage = z.infer<typeof coverageSchema>;

/** Why a download claim does not count (server/coverage/plausibility.ts, decision 085). */
export const sampleFlagSchema = z.enum(['above-link', 'above-cap', 'above-server']);
export type SampleFlag = z.infer<typeof sampleFlagSchema>;
export const measurementSourceSchema = z.enum(['server', 'agent']);
export type MeasurementSource = z.infer<typeof measurementSourceSchema>;

export const schoolRowSchema = z.object({
  code: z.string(),
  name: z.string(),
  township: z.string().nullable(),
  typeCode: z.string().describe('GB/T 33782 school type; typeName says it in words'),
  urbanRuralCode: z.string().describe('统计用区划 urban/rural code; urbanRuralName says it in words'),
  ...schoolCodeLabelsSchema.shape,
  connected: z.boolean(),
  lastReachableAt: instantText().nullable(),
  bandwidthMbps: z.number().nullable().describe('highest over devices of the median measured download in the window'),
  standardMbps: z.number().nullable(),
  meetsStandard: z.boolean(),
  declaredConnected: z.boolean().describe('declared connected by a person, not measured'),
  declarationConflict: z.boolean(),
  bandwidthSource: measurementSourceSchema
    .nullable()
    .describe(
      "whose measurement bandwidthMbps is: 'server' (the server's own speed test, which outranks) " +
        "or 'agent' (the PC's claim)",
    ),
  flaggedSamples: z.number().int().describe('download claims within the window that are implausible and do not count'),
  flagReasons: z
    .array(sampleFlagSchema)
    .describe(
      "why: above-link (faster than the PC's own link), above-cap (faster than any school PC), " +
        "above-server (far above the server's own measurement)",
    ),
  classrooms: classroomFigures,
  devices: deviceFigures,
});
export type SchoolRow = z.infer<typeof schoolRowSchema>;

const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');

export const countySchoolsQuerySchema = z.object({
  connected: boolParam.optional(),
  meetsStandard: boolParam.optional(),
  hasSilentDevices: boolParam.optional().describe('true: schools with at least one silent or at-risk device'),
  noAgent: boolParam.optional().describe('true: schools with no enrolled device'),
  declaredConnected: boolParam.optional().describe('true: connected by declaration only'),
  conflict: boolParam.optional().describe('true: a declaration contradicted by evidence'),
  flagged: boolParam.optional().describe('true: schools with implausible download claims in the window'),
  typeCode: z
    .string()
    .regex(/^\d{3}$/, 'a GB/T 33782 type code such as 211')
    .optional(),
  township: z.string().max(128).optional(),
  q: z.string().max(128).optional().describe('search in school code and name'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000, 'pageSize is at most 1000').default(100),
  format: z.enum(['json', 'csv', 'xlsx']).default('json').describe('json, or the rows as csv or xlsx'),
});
export type CountySchoolsQuery = z.infer<typeof countySchoolsQuerySchema>;

export const countyCoverageResponseSchema = z.object({
  asOf: instantText(),
  evidenceWindowDays: z.number().int(),
  county: countyCoverageSchema,
  schools: z.object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    rows: z.array(schoolRowSchema),
  }),
});

export const classroomRowSchema = z.object({
  code: z.string(),
  name: z.string(),
  equipped: z.boolean(),
  equippedKind: z
    .enum(presentationDisplayKinds)
    .nullable()
    .describe('the presentation kind in the latest evidence; null when not equipped'),
  lastEvidenceAt: instantText().nullable(),
  declaredEquipped: z.boolean().describe('declared equipped by a person, not measured'),
});

/** A display of a device's latest report, with what decided its kind (schema-1 agents send no evidence). */
export const deviceDisplaySchema = z.object({
  kind: z.enum(displayKinds),
  vendor: z.string().nullable(),
  model: z.string().nullable(),
  connection: z.string().nullable(),
  widthCm: z.number().int().nullable(),
  heightCm: z.number().int().nullable(),
  diagonalInches: z
    .number()
    .nullable()
    .describe('from widthCm × heightCm, one decimal; null when the display has no fixed size (0 × 0) or gave none'),
  touch: z.boolean().nullable(),
  evidence: z
    .array(z.enum(displayEvidenceKinds))
    .describe('the signals that decided `kind`, strongest first; empty from older agents'),
});
export type DeviceDisplay = z.infer<typeof deviceDisplaySchema>;

export const deviceRowSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  classroom: z.string().nullable(),
  state: z.enum(['never', 'live', 'at-risk', 'silent', 'revoked']),
  lastReportAt: instantText().nullable(),
  lastReceivedAt: instantText().nullable(),
  agentVersion: z.string().nullable(),
  medianDownMbps: z.number().nullable(),
  medianUpMbps: z.number().nullable(),
  downSource: measurementSourceSchema.nullable().describe('whose measurements medianDownMbps is the median of'),
  flaggedSamples: z.number().int().describe('download claims within the window that are implausible and do not count'),
  flagReasons: z.array(sampleFlagSchema),
  enrolledAt: instantText(),
  revokedAt: instantText().nullable(),
  hardwareConflict: z.boolean().describe('the same hardware is enrolled at another school'),
  displays: z.array(deviceDisplaySchema).describe("the displays in the device's latest report"),
});

export const schoolDetailSchema = z.object({
  asOf: instantText(),
  school: schoolRowSchema.extend({
    county: z.object({ code: z.string(), name: z.string(), pinyin: divisionPinyin }),
    classCount: z.number().int().nullable(),
    centreSchoolCode: z.string().nullable(),
    lastInspection: z
      .object({
        inspectionId: z.number().int(),
        result: z.enum(['confirmed', 'discrepancy']),
        note: z.string().nullable(),
        recordedAt: instantText(),
      })
      .nullable()
      .describe('the latest spot-check finding (检查验收) for this school'),
  }),
  classrooms: z.array(classroomRowSchema),
  devices: z.array(deviceRowSchema),
});
export type SchoolDetail = z.infer<typeof schoolDetailSchema>;

export const formatQuerySchema = z.object({
  format: z.enum(['json', 'csv', 'xlsx']).default('json').describe('json, or the rows as csv or xlsx'),
});

/**
 * `GET /api/v1/coverage`: the principal's own division, or `division`; county rows come a page at a time (a country
 * has ~2,974 counties), unasked only where they are the division's children (decision 162); CSV and XLSX list the
 * division's children, all of them.
 */
export const coverageQuerySchema = z.object({
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  division: divisionCodeSchema
    .optional()
    .describe(
      "the division to read (default: the token's or account's own division, the root for the whole deployment)",
    ),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000, 'pageSize is at most 1000').default(100),
  counties: boolParam
    .optional()
    .describe(
      'true: list a page of county rows (page, pageSize); false: none. Unset: listed where the children are ' +
        'county-level (a prefecture, a municipality), not above (a province, the country: countyPage.pageSize 0)',
    ),
});
