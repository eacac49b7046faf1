import { z } from 'zod';
import { boundedText, isoDateTimeSchema, macAddressSchema } from './common.ts';

/**
 * The report an agent sends and the server ingests: the wire contract between the two sides.
 *
 * Forward compatibility: objects strip keys they do not know (zod's default), and a display `kind`
 * the server does not know becomes `unknown`, so a newer agent is never rejected by an older server.
 */
export const REPORT_SCHEMA_VERSION = 2;

/**
 * Version 2 added the `large-display` kind (TVs, signage, any large screen without touch) and each display's
 * `evidence`, `widthCm`/`heightCm` and `touch`. A version-1 agent never sends them and keeps working.
 */
export const displayKinds = [
  'projector',
  'interactive-panel',
  'large-display',
  'monitor',
  'builtin',
  'unknown',
] as const;
export type DisplayKind = (typeof displayKinds)[number];

/** Kinds that make a classroom "equipped" (班班通): a presentation display, not a desk monitor. */
export const presentationDisplayKinds = [
  'projector',
  'interactive-panel',
  'large-display',
] as const satisfies readonly DisplayKind[];
export type PresentationKind = (typeof presentationDisplayKinds)[number];

/** Whether a display of this kind makes a classroom equipped. */
export function isPresentationKind(kind: DisplayKind): kind is PresentationKind {
  return (presentationDisplayKinds as readonly DisplayKind[]).includes(kind);
}

/**
 * The signals that decided a display's kind, strongest first, so a county officer can see why:
 * the EDID's physical size, a touch input device on the PC, the maker (PNP id or name), the model name,
 * words in the display's name, the connector it hangs on, the CTA-861 extension (TV formats, HDMI blocks),
 * the DisplayID extension's declared product type.
 */
export const displayEvidenceKinds = [
  'size',
  'touch',
  'maker',
  'model',
  'name',
  'connector',
  'cta',
  'displayid',
] as const;
export type DisplayEvidence = (typeof displayEvidenceKinds)[number];

/** Unknown evidence words from a newer agent are dropped, never a reason to refuse the report. */
const displayEvidenceSchema = z
  .array(z.string().max(32))
  .max(16)
  .transform((list) =>
    list.filter((e): e is DisplayEvidence => (displayEvidenceKinds as readonly string[]).includes(e)),
  );

export const displayKindSchema = z
  .string()
  .max(40)
  .transform((k): DisplayKind => ((displayKinds as readonly string[]).includes(k) ? (k as DisplayKind) : 'unknown'));

export const displaySchema = z.object({
  kind: displayKindSchema,
  vendor: boundedText(128).optional().describe('PNP vendor id from EDID (e.g. EPS) or vendor name'),
  model: boundedText(128).optional(),
  serial: boundedText(128).optional(),
  connection: boundedText(64).optional().describe('HDMI, DisplayPort, VGA, internal …'),
  productCode: z.number().int().min(0).max(0xffff).optional(),
  manufactureYear: z.number().int().min(1990).max(2100).optional(),
  widthPx: z.number().int().min(0).max(100_000).optional(),
  heightPx: z.number().int().min(0).max(100_000).optional(),
  widthCm: z
    .number()
    .int()
    .min(0)
    .max(1_000)
    .optional()
    .describe('physical width from EDID; 0 × 0 means no fixed size'),
  heightCm: z.number().int().min(0).max(1_000).optional(),
  touch: z.boolean().optional().describe('a direct-touch input device is attached to this PC'),
  evidence: displayEvidenceSchema.optional().describe('the signals that decided `kind`, strongest first'),
});

export const interfaceTypes = ['wired', 'wireless', 'virtual', 'unknown'] as const;
export type InterfaceType = (typeof interfaceTypes)[number];

/**
 * Like a display's kind, an interface type the server does not know (from a newer agent) or none at all is
 * stored as `unknown`, never a reason to refuse the report; so the wire format is any short text, not an enum.
 */
export const interfaceTypeSchema = z
  .string()
  .max(40)
  .optional()
  .transform((t): InterfaceType =>
    (interfaceTypes as readonly (string | undefined)[]).includes(t) ? (t as InterfaceType) : 'unknown',
  )
  .describe('wired, wireless, virtual or unknown; any other value, or none, is stored as unknown');

export const networkInterfaceSchema = z.object({
  name: boundedText(64).min(1),
  type: interfaceTypeSchema,
  up: z.boolean(),
  speedMbps: z.number().min(0).max(1_000_000).nullable().optional(),
  mac: macAddressSchema.optional(),
  ipv4: z.array(boundedText(64)).max(32).default([]),
  ipv6: z.array(boundedText(64)).max(32).default([]),
});

export const reachabilitySchema = z.object({
  target: boundedText(512).min(1).describe('URL or host:port probed'),
  reachable: z.boolean(),
  latencyMs: z.number().min(0).max(600_000).nullable(),
  error: boundedText(256).optional(),
});

export const throughputSchema = z.object({
  downMbps: z.number().min(0).max(100_000).nullable(),
  upMbps: z.number().min(0).max(100_000).nullable(),
  measuredAt: isoDateTimeSchema.optional(),
  bytesDown: z.number().int().min(0).optional(),
  bytesUp: z.number().int().min(0).optional(),
});

export const networkSchema = z.object({
  interfaces: z.array(networkInterfaceSchema).max(64).default([]),
  defaultGateway: boundedText(64).nullable().optional(),
  internet: z.object({
    reachable: z.boolean(),
    latencyMs: z.number().min(0).max(600_000).nullable(),
    targets: z.array(reachabilitySchema).max(32).default([]),
  }),
  throughput: throughputSchema.optional(),
});

export const deviceInfoSchema = z.object({
  hostname: boundedText(253).optional(),
  os: z
    .object({
      platform: boundedText(32),
      distro: boundedText(128).optional(),
      release: boundedText(64).optional(),
      arch: boundedText(32).optional(),
    })
    .optional(),
  uptimeSeconds: z.number().int().min(0).optional(),
});

export const reportSchema = z.object({
  schemaVersion: z
    .number()
    .int()
    .min(1)
    .describe('report schema version; servers accept every version up to their own'),
  id: z.uuid('a UUID that identifies this report; replays with the same id are counted once'),
  collectedAt: isoDateTimeSchema,
  agentVersion: boundedText(64).min(1),
  network: networkSchema,
  displays: z.array(displaySchema).max(32).default([]),
  device: deviceInfoSchema.optional(),
  droppedSinceLastDelivery: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('reports the agent dropped because its outbox was full since its last delivery'),
  update: z
    .object({ refusedVersion: boundedText(64), reason: boundedText(512) })
    .optional()
    .describe(
      'a self-update the agent refused (bad signature or hash) or rolled back (did not start), since its last report',
    ),
});
export type Report = z.infer<typeof reportSchema>;
export type ReportInput = z.input<typeof reportSchema>;

export const MAX_REPORTS_PER_BATCH = 500;

export const reportBatchSchema = z.object({
  reports: z
    .array(reportSchema)
    .min(1, 'send at least one report')
    .max(MAX_REPORTS_PER_BATCH, `send at most ${MAX_REPORTS_PER_BATCH} reports per batch`),
});
export type ReportBatch = z.infer<typeof reportBatchSchema>;

export const reportBatchResultSchema = z.object({
  accepted: z.number().int().describe('reports stored by this request'),
  duplicates: z.number().int().describe('reports whose id the server already had: acknowledged, not counted again'),
  clamped: z.number().int().describe('reports whose collectedAt was in the future and was set to the receive time'),
  expired: z
    .number()
    .int()
    .optional()
    .describe('reports collected before the retention period: acknowledged but not stored (present when not 0)'),
});
export type ReportBatchResult = z.infer<typeof reportBatchResultSchema>;
