import { divisionLevels } from './division-code.ts';
import { z } from 'zod';
import { boundedText, dayText, instantText } from './common.ts';
import { platformLevels } from './plan.ts';

/*
 * The two platforms (两平台): education resource and education management public service platforms, at
 * the prefecture, every county and every centre school (中心校). "Built" is declared by people; "reachable"
 * is measured by the server probing the URL. The two are separate fields and never summed.
 */
export const platformKinds = ['resource', 'management'] as const;
export type PlatformKind = (typeof platformKinds)[number];
export type PlatformLevel = (typeof platformLevels)[number];

const dateOnly = z.iso.date('a date as YYYY-MM-DD, e.g. 2018-06-30');
const httpUrl = z
  .url({ protocol: /^https?$/, error: 'an http:// or https:// URL, e.g. https://zy.lxedu.example.cn/' })
  .max(2000, 'at most 2000 characters');
const reason = boundedText(500).min(1, 'say why, e.g. "county bureau letter 2018-07"');

const platformFields = {
  kind: z.enum(platformKinds),
  level: z.enum(platformLevels),
  ownerCode: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .describe('the unit the platform belongs to: the prefecture or county division code, or the centre school code'),
  name: boundedText(200).min(1, 'give the platform a name'),
  url: httpUrl,
  builtOn: dateOnly.nullable().describe('the date declared built; null while not built'),
};

/** Body of POST /api/v1/platforms. */
export const newPlatformSchema = z.object({ ...platformFields, builtOn: platformFields.builtOn.default(null), reason });
export type NewPlatform = z.infer<typeof newPlatformSchema>;

/** Body of PATCH /api/v1/platforms/{id}: the fields to change, and why. */
export const platformPatchSchema = z
  .object({
    kind: platformFields.kind.optional(),
    level: platformFields.level.optional(),
    ownerCode: platformFields.ownerCode.optional(),
    name: platformFields.name.optional(),
    url: platformFields.url.optional(),
    builtOn: platformFields.builtOn.optional(),
    reason,
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'reason'), { message: 'name at least one field to change' });
export type PlatformPatch = z.infer<typeof platformPatchSchema>;

export const platformIdParams = z.object({ id: z.coerce.number().int().min(1, 'a platform id such as 3') });
export const platformDeleteQuery = z.object({ reason });

export const platformStatusSchema = z.object({
  lastProbeAt: instantText(),
  up: z.boolean().describe('the last probe got an answer that counts as up'),
  reachable: z.boolean().describe('up at a probe within the last day: what coverage counts as reachable'),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  uptime7d: z.number().nullable().describe('share of probes up in the last 7 days; null without probes'),
  uptime30d: z.number().nullable(),
  medianLatencyMs: z.number().nullable().describe('median time to the answer of up probes in the last 7 days'),
  probes30d: z.number().int(),
});

export const platformSchema = z.object({
  id: z.number().int(),
  kind: z.enum(platformKinds),
  level: z.enum(platformLevels),
  ownerCode: z.string(),
  countyCode: z.string().nullable(),
  name: z.string(),
  url: z.string(),
  builtOn: dayText().nullable().describe('declared'),
  status: platformStatusSchema.nullable().describe('measured; null until the first probe'),
});
export type PlatformView = z.infer<typeof platformSchema>;

const kindCoverage = z.object({
  declaredBuilt: z.number().int().describe('units with a platform of this kind declared built on or before today'),
  reachable: z.number().int().describe('units with a platform of this kind that answered its last probe (measured)'),
});

export const levelCoverageSchema = z.object({
  level: z.enum(platformLevels),
  dueBy: z
    .number()
    .int()
    .nullable()
    .describe('the plan year by whose end every unit of this level should have both platforms'),
  due: z.boolean().describe('that year has ended'),
  units: z.number().int().describe('units at this level: 1 prefecture, the counties, the centre schools'),
  expected: z.number().int().describe('units that should have each kind by now (units when due, else 0)'),
  resource: kindCoverage,
  management: kindCoverage,
});

export const platformCoverageSchema = z.object({
  asOf: instantText(),
  scope: z.object({ level: z.enum(divisionLevels), code: z.string() }),
  levels: z.array(levelCoverageSchema),
});
export type PlatformCoverage = z.infer<typeof platformCoverageSchema>;
