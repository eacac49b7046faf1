import { z } from 'zod';
import { instantText } from './common.ts';

export const inspectionStrata = ['conflict', 'declared-only', 'unconnected', 'measured'] as const;

export const inspectionSchoolSchema = z.object({
  schoolCode: z.string(),
  name: z.string(),
  countyCode: z.string(),
  stratum: z
    .enum(inspectionStrata)
    .describe('why the draw weighted this school: a conflicting or declared-only status is likelier to be checked'),
  result: z.enum(['confirmed', 'discrepancy']).nullable(),
  note: z.string().nullable(),
  recordedAt: instantText().nullable(),
  recordedBy: z.string().nullable(),
});

export const inspectionSchema = z.object({
  id: z.number().int(),
  seed: z.string(),
  perCounty: z.number().int(),
  drawnAt: instantText(),
  drawnBy: z.string(),
  schools: z.array(inspectionSchoolSchema),
});
export type Inspection = z.infer<typeof inspectionSchema>;

export const inspectionDrawSchema = z.object({
  perCounty: z.number().int().min(1).max(500),
  seed: z.string().trim().min(1, 'a seed, so the same draw can be repeated and checked').max(100),
});

export const inspectionResultSchema = z
  .object({
    schoolCode: z.string().trim().min(1).max(64),
    result: z.enum(['confirmed', 'discrepancy']),
    note: z.string().trim().max(2000).default(''),
  })
  .refine((r) => r.result === 'confirmed' || r.note.length >= 3, {
    path: ['note'],
    message: 'a discrepancy needs a note saying what the inspector found',
    params: { problem: 'noteNeeded' },
  });
