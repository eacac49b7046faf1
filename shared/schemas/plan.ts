import { z } from 'zod';
import { divisionCodeSchema } from './division-code.ts';

/**
 * A programme plan: the division tree it covers, its targets with yearly milestones, and the rules
 * that turn measurements into coverage. A bureau loads its next plan as a file, without a release.
 */
const divisionCode = divisionCodeSchema;

export const divisionSchema = z.object({
  code: divisionCode,
  name: z.string().trim().min(1).max(128),
  pinyin: z.string().trim().max(256).optional(),
});
export type Division = z.infer<typeof divisionSchema>;

const year = z.number().int().min(2000).max(2100);

export const countMilestoneSchema = z.object({
  year,
  cumulative: z.number().int().min(0).describe('units done by the end of this year'),
  increment: z.number().int().min(0).optional().describe('what the plan text says is completed in this year'),
});
export type CountMilestone = z.infer<typeof countMilestoneSchema>;

const countIndicator = z
  .object({
    target: z.number().int().min(0).optional().describe('units to be done by targetYear (an absolute count)'),
    share: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe('or: the share of registered units to be done by targetYear, e.g. 1 = every school, 0.9'),
    targetYear: year,
    milestones: z.array(countMilestoneSchema).max(50).default([]),
    note: z.string().max(1000).optional(),
  })
  .superRefine((indicator, ctx) => {
    if ((indicator.target === undefined) === (indicator.share === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['target'],
        message: 'give either target (a count) or share (0–1), not both',
      });
    if (indicator.share !== undefined && indicator.milestones.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['milestones'],
        message: 'milestones are counts: they go with an absolute target, not with a share',
      });
  });
export type CountIndicator = z.infer<typeof countIndicator>;

/** A division's own goal for one indicator: a count of units, or a share of its registered units. */
export const divisionGoalSchema = z.union([
  z.strictObject({ target: z.number().int().min(0).describe('units this division is to have done') }),
  z.strictObject({ share: z.number().gt(0).max(1).describe('share of its registered units, e.g. 0.9') }),
]);
export type DivisionGoal = z.infer<typeof divisionGoalSchema>;

/** The indicators a division's own targets may set. */
export const divisionTargetIndicators = ['schoolsConnected', 'classroomsEquipped', 'teacherSpaces'] as const;

/**
 * Targets of one division of the tree, read before the plan's own (issue 13 item 4): a province plan may give
 * one prefecture absolute counts and leave the others to the plan's shares.
 */
export const divisionTargetsSchema = z.strictObject({
  division: divisionCode,
  schoolsConnected: divisionGoalSchema.optional(),
  classroomsEquipped: divisionGoalSchema.optional(),
  teacherSpaces: divisionGoalSchema.optional(),
});
export type DivisionTargets = z.infer<typeof divisionTargetsSchema>;

export const platformLevels = ['prefecture', 'county', 'centre-school'] as const;

export const bandwidthStandardSchema = z.object({
  typeCodes: z
    .array(z.string().regex(/^\d{3}$/))
    .optional()
    .describe('GB/T 33782 school type codes; absent = any type'),
  area: z.enum(['urban', 'rural']).optional().describe('urban = urban/rural code 1xx, rural = 2xx; absent = both'),
  minMbps: z.number().positive().max(100_000),
  note: z.string().max(500).optional(),
});
export type BandwidthStandard = z.infer<typeof bandwidthStandardSchema>;

export const coverageRulesSchema = z.object({
  evidenceWindowDays: z.number().int().min(1).max(366).default(30),
  liveDays: z.number().int().min(1).max(366).default(3),
  atRiskDays: z.number().int().min(1).max(366).default(14),
  bandwidth: z
    .object({
      tolerance: z.number().gt(0).max(1).default(0.8).describe('a school meets its standard at minMbps × tolerance'),
      standards: z
        .array(bandwidthStandardSchema)
        .min(1)
        .max(100)
        .describe('first matching rule wins; put the most specific first and a catch-all last'),
    })
    .default({ tolerance: 0.8, standards: [{ minMbps: 100 }] }),
});
export type CoverageRules = z.infer<typeof coverageRulesSchema>;

/**
 * Plans written before decision 141 name their root `prefecture` and list its `counties`: both are read as
 * `root` and `divisions`, so a stored or shipped plan of that shape keeps loading.
 */
const legacyNames = (value: unknown) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { prefecture, counties, ...rest } = value as Record<string, unknown>;
  return { ...rest, root: rest.root ?? prefecture, divisions: rest.divisions ?? counties };
};

export const planSchema = z.preprocess(
  legacyNames,
  z
    .object({
      name: z.string().trim().min(1).max(200),
      nameEn: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .optional()
        .describe('the plan’s title in English, shown on English pages (the Chinese `name` otherwise)'),
      startYear: year,
      endYear: year,
      root: divisionSchema.describe("the deployment's root division (a prefecture, a province, or 000000 the country)"),
      divisions: z
        .array(divisionSchema)
        .max(5000)
        .default([])
        .describe('names and pinyin for divisions of the tree; each must be in the root’s subtree'),
      targets: z
        .array(divisionTargetsSchema)
        .max(5000)
        .default([])
        .describe('targets of single divisions, read before the indicators; each division must be in the tree'),
      indicators: z.object({
        schoolsConnected: countIndicator,
        classroomsEquipped: countIndicator,
        teacherSpaces: countIndicator,
        platforms: z
          .object({
            milestones: z.array(z.object({ year, levels: z.array(z.enum(platformLevels)).min(1) })).max(50),
          })
          .optional(),
      }),
      coverage: coverageRulesSchema.default({
        evidenceWindowDays: 30,
        liveDays: 3,
        atRiskDays: 14,
        bandwidth: { tolerance: 0.8, standards: [{ minMbps: 100 }] },
      }),
      funding: z.object({ informatizationShareOfPublicFunds: z.number().min(0).max(1) }).optional(),
      notes: z.array(z.string().max(2000)).max(50).default([]),
    })
    .superRefine((plan, ctx) => {
      if (plan.endYear < plan.startYear) {
        ctx.addIssue({ code: 'custom', path: ['endYear'], message: 'endYear must not be before startYear' });
      }
      const seen = new Set<string>();
      plan.divisions.forEach((division, i) => {
        if (seen.has(division.code))
          ctx.addIssue({
            code: 'custom',
            path: ['divisions', i, 'code'],
            message: `division ${division.code} is listed twice`,
          });
        seen.add(division.code);
      });
      const targeted = new Set<string>();
      plan.targets.forEach((entry, i) => {
        if (targeted.has(entry.division))
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'division'],
            message: `division ${entry.division} has targets twice`,
          });
        targeted.add(entry.division);
        if (divisionTargetIndicators.every((key) => entry[key] === undefined))
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i],
            message: `targets of ${entry.division} name no indicator (${divisionTargetIndicators.join(', ')})`,
          });
      });
      if (plan.coverage.atRiskDays < plan.coverage.liveDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['coverage', 'atRiskDays'],
          message: 'atRiskDays must be at least liveDays',
        });
      }
      for (const key of ['schoolsConnected', 'classroomsEquipped', 'teacherSpaces'] as const) {
        const milestones = plan.indicators[key].milestones;
        milestones.forEach((m, i) => {
          const prev = milestones[i - 1];
          if (prev && (m.year <= prev.year || m.cumulative < prev.cumulative)) {
            ctx.addIssue({
              code: 'custom',
              path: ['indicators', key, 'milestones', i],
              message: 'milestones must be in increasing years with non-decreasing cumulative counts',
            });
          }
        });
      }
    }),
);
export type Plan = z.infer<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;
