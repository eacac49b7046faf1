import { z } from 'zod';
import { dayText, instantText } from './common.ts';
import { divisionCodeSchema } from './division-code.ts';

const reason = z.string().trim().min(3, 'say why (at least 3 characters): the audit log keeps it').max(1000);

/** A county officer's declaration of a status no agent can show yet. */
export const declarationRequestSchema = z
  .object({
    schoolCode: z.string().trim().min(1).max(64),
    indicator: z
      .enum(['connected', 'equipped'])
      .describe('connected: the school has a working link; equipped: a classroom has multimedia equipment'),
    classroomCode: z.string().trim().min(1).max(64).optional().describe('required for equipped, absent for connected'),
    reason,
  })
  .superRefine((d, ctx) => {
    if (d.indicator === 'equipped' && !d.classroomCode)
      ctx.addIssue({
        code: 'custom',
        path: ['classroomCode'],
        message: 'an equipped declaration names its classroom',
        params: { problem: 'classroomNeeded' },
      });
    if (d.indicator === 'connected' && d.classroomCode)
      ctx.addIssue({
        code: 'custom',
        path: ['classroomCode'],
        message: 'a connected declaration is for the whole school; leave classroomCode out',
        params: { problem: 'classroomNotForConnected' },
      });
  });
export type DeclarationRequest = z.infer<typeof declarationRequestSchema>;

export const withdrawalSchema = z.object({ reason });

export const declarationSchema = z.object({
  id: z.number().int(),
  schoolCode: z.string(),
  countyCode: z.string(),
  indicator: z.enum(['connected', 'equipped']),
  classroomCode: z.string().nullable(),
  declaredAt: instantText(),
  declaredBy: z.string(),
  reason: z.string(),
  withdrawnAt: instantText().nullable(),
  withdrawnBy: z.string().nullable(),
  /** Whether a measurement now shows the same thing (the declaration then adds nothing). */
  measured: z.boolean(),
  conflict: z.boolean().describe('declared connected, yet every report in the window says no internet'),
});
export type Declaration = z.infer<typeof declarationSchema>;

export const declarationListQuerySchema = z.object({
  status: z.enum(['active', 'withdrawn', 'all']).default('active'),
  conflict: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  format: z.enum(['json', 'csv', 'xlsx']).default('json').describe('json, or the rows as csv or xlsx'),
});

export const closureRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('e.g. 寒假 2027'),
    countyCode: divisionCodeSchema.optional().describe('absent: every county'),
    startsOn: z.iso.date('a date like 2027-01-15'),
    endsOn: z.iso.date('a date like 2027-02-25'),
    reason,
  })
  .refine((c) => c.endsOn >= c.startsOn, {
    path: ['endsOn'],
    message: 'endsOn must not be before startsOn',
    params: { problem: 'endsBeforeStarts' },
  });
export type ClosureRequest = z.infer<typeof closureRequestSchema>;

export const closureSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  countyCode: z.string().nullable(),
  startsOn: dayText(),
  endsOn: dayText(),
});
